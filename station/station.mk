# station/: the daemon core and stationctl.
STATION_SRCS := station/loop.c station/log.c station/order.c station/store.c \
	station/store_orders.c station/readiness.c
LIB_OBJS += $(STATION_SRCS:%.c=$(B)/%.o)
BINS += $(B)/stationd $(B)/stationctl

$(B)/stationd: $(B)/station/stationd.o $(B)/libstation.a
	$(CC) -o $@ $^ $(LIBS)

$(B)/stationctl: $(B)/station/stationctl.o $(B)/libstation.a
	$(CC) -o $@ $^ $(LIBS)
