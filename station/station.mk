# station/: the daemon core and stationctl.
STATION_SRCS := station/loop.c station/log.c station/order.c station/store.c \
	station/store_orders.c station/store_pack.c station/store_query.c \
	station/readiness.c station/config.c station/intake.c station/sscc.c \
	station/outbox.c station/table.c station/control.c station/commands.c \
	station/station.c station/print.c station/print_cmds.c \
	station/docs.c station/store_jobs.c station/render.c
LIB_OBJS += $(STATION_SRCS:%.c=$(B)/%.o)
BINS += $(B)/stationd $(B)/stationctl
CTL_OBJS := $(B)/station/stationctl.o $(B)/station/ctl_cmds.o $(B)/station/ctl_log.o

$(B)/stationd: $(B)/station/stationd.o $(B)/libstation.a
	$(CC) -o $@ $^ $(LIBS)

$(B)/stationctl: $(CTL_OBJS) $(B)/libstation.a
	$(CC) -o $@ $^ $(LIBS)
