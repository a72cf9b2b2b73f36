# dist/dist.mk: the man pages (make install) and the Debian package (make deb).
MAN_PAGES := man/stationd.8 man/stationctl.1 man/station.ini.5
MANDIR	?= $(PREFIX)/share/man

.PHONY: install-man deb
install: install-man
install-man:
	install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	install -m 644 man/stationctl.1 $(DESTDIR)$(MANDIR)/man1/stationctl.1
	install -m 644 man/station.ini.5 $(DESTDIR)$(MANDIR)/man5/station.ini.5
	install -m 644 man/stationd.8 $(DESTDIR)$(MANDIR)/man8/stationd.8

# station_VERSION_ARCH.deb in $(B)/, built by dpkg-buildpackage from a copy of
# this tree (without build/, demo/, .git) in a temporary folder, so nothing is
# written beside the tree (dpkg-buildpackage puts the .deb in the parent) and
# no debian/ staging tree lands under $(B) (its rules.d would match *.d).
deb: deps
	@mkdir -p $(B)
	@t=$$(mktemp -d /tmp/station-deb.XXXXXX) && mkdir $$t/src && \
	tar -cf - --exclude=./build --exclude=./demo --exclude=./.git --exclude='./$(B)' . | \
	    tar -C $$t/src -xf - && \
	echo "deb: dpkg-buildpackage in $$t/src (log: $(B)/deb-build.log)" && \
	if (cd $$t/src && dpkg-buildpackage -us -uc -b) >$(B)/deb-build.log 2>&1; then \
		mv $$t/station_*.deb $(B)/ && rm -rf $$t && ls $(B)/station_*.deb; \
	else tail -30 $(B)/deb-build.log; rm -rf $$t; exit 1; fi
