/* stationctl web-user NAME --role viewer|supervisor: a console login, password on stdin. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "station/ctl/ctl.h"
#include "station/daemon/config.h"
#include "station/web/web.h"

int
cmd_web_user(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = { { "role", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 } };
	const char *role = NULL;
	char pw[512], err[512];
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'r')
			role = optarg;
		else
			ctl_usage("web-user NAME --role viewer|supervisor (password on stdin)");
	}
	if (optind + 1 != argc || role == NULL)
		ctl_usage("web-user NAME --role viewer|supervisor (password on stdin)");
	if (c->conf->web.users_file == NULL) {
		fprintf(stderr, "stationctl: %s has no [web] users_file\n", c->conf->path);
		return 1;
	}
	if (fgets(pw, sizeof(pw), stdin) == NULL) {
		fprintf(stderr, "stationctl: web-user: give the password on standard input\n");
		return 1;
	}
	pw[strcspn(pw, "\r\n")] = '\0';
	rc = web_users_set(c->conf->web.users_file, argv[optind], role, pw, err, sizeof(err));
	explicit_bzero(pw, sizeof(pw));
	if (rc == -1) {
		fprintf(stderr, "stationctl: web-user: %s\n", err);
		return 1;
	}
	printf("%s: %s is a %s\n", c->conf->web.users_file, argv[optind], role);
	return 0;
}
