# station/: the daemon (daemon/), stationctl (ctl/), and the layers below them:
# core/ (pure logic), store/ (the database), intake/ (order and product files).
# common/ (loop, log) sits under station/, drivers/ and labels/ alike.
COMMON_SRCS := common/loop.c common/log.c common/thread.c
CORE_SRCS := station/core/session.c station/core/session_names.c station/core/session_checks.c station/core/order_state.c \
	station/core/readiness.c \
	station/core/order.c station/core/sscc.c
# store/: the engine-neutral interface (store.c picks the engine, forwards to its ops); sqlite/: SQLite
STORE_SRCS := station/store/store.c station/store/store_rows.c station/store/store_jobs.c \
	station/store/store_boxes.c station/store/sqlite/store_boxes.c station/store/sqlite/sqlite_store.c \
	station/store/sqlite/store_orders.c station/store/sqlite/store_pack.c \
	station/store/sqlite/store_query.c station/store/sqlite/store_docs.c \
	station/store/sqlite/store_jobs.c station/store/store_shop.c station/store/sqlite/store_shop.c station/store/sqlite/store_checks.c \
	station/store/sqlite/sqlite_ckpt.c station/store/sqlite/sqlite_schema.c \
	station/store/pg/pg_store.c station/store/pg/pg_orders.c station/store/pg/pg_pack.c station/store/pg/pg_view.c \
	station/store/pg/pg_query.c station/store/pg/pg_docs.c station/store/pg/pg_jobs.c \
	station/store/pg/pg_boxes.c station/store/pg/pg_migrate.c station/store/pg/pg_cursor.c \
	station/store/pg/pg_schema.c station/store/pg/pg_checks.c station/store/pg/pg_shop.c \
	station/store/pg/pg_maint.c station/store/pg/pg_connect.c station/store/pg/pg_lead.c
INTAKE_SRCS := station/intake/intake_util.c station/intake/intake_detect.c \
	station/intake/intake_jsonread.c station/intake/intake_json.c \
	station/intake/intake_csvread.c station/intake/intake_csv.c \
	station/intake/intake_products.c station/intake/intake.c \
	station/intake/intake_file.c station/intake/intake_limits.c
DAEMON_SRCS := station/daemon/config.c station/daemon/config_values.c station/daemon/intake_job.c station/daemon/intake_worker.c station/daemon/outbox.c station/daemon/control.c \
	station/daemon/commands.c station/daemon/station.c station/daemon/checks.c station/daemon/print.c \
	station/daemon/print_cmds.c station/daemon/docs.c station/daemon/render.c \
	station/daemon/replies.c station/daemon/fulfillment_doc.c station/daemon/boxes.c \
	station/ctl/table.c
# web/: the supervisor's console (libmicrohttpd, driven by the daemon's loop)
WEB_SRCS := station/web/web_server.c station/web/web_html.c station/web/web_assets.c \
	station/web/web_auth.c station/web/web_events.c station/web/web_pages.c \
	station/web/web_order.c station/web/web_log.c station/web/web_stats.c station/web/web_api.c \
	station/web/web_login.c station/web/web_pdf.c station/web/web_util.c
DAEMON_SRCS += $(WEB_SRCS)
LIB_OBJS += $(COMMON_SRCS:%.c=$(B)/%.o) $(CORE_SRCS:%.c=$(B)/%.o) $(STORE_SRCS:%.c=$(B)/%.o) \
	$(INTAKE_SRCS:%.c=$(B)/%.o) $(DAEMON_SRCS:%.c=$(B)/%.o)
BINS += $(B)/stationd $(B)/stationctl
# issue 16: systemd notifications, the store's upkeep (backup, check, archive, retention)
LIB_OBJS += $(B)/station/daemon/notify.o $(B)/station/daemon/upkeep.o $(B)/station/store/store_maint.o \
	$(B)/station/store/sqlite/store_maint.o $(B)/station/store/sqlite/store_retention.o
CTL_OBJS := $(B)/station/ctl/stationctl.o $(B)/station/ctl/ctl_cmds.o $(B)/station/ctl/ctl_log.o
CTL_OBJS += $(B)/station/ctl/ctl_maint.o
CTL_OBJS += $(B)/station/ctl/ctl_web.o
# shop/: Shopify sync (libcurl multi on the loop, jansson, libcrypto for webhook HMACs)
SHOP_SRCS := station/shop/shop.c station/shop/shop_http.c station/shop/shop_map.c \
	station/shop/shop_pull.c station/shop/shop_push.c station/shop/shop_webhook.c station/shop/shop_lead.c \
	station/shop/shop_cmds.c
LIB_OBJS += $(SHOP_SRCS:%.c=$(B)/%.o)
TEST_BINS += $(B)/tests/test_shop
CTL_OBJS += $(B)/station/ctl/ctl_shop.o

TEST_BINS += $(B)/tests/test_intake_parse $(B)/tests/test_intake_csv \
	$(B)/tests/test_intake_stream $(B)/tests/test_intake_limits $(B)/tests/test_session \
	$(B)/tests/test_order_state $(B)/tests/test_store
TEST_BINS += $(B)/tests/test_session_checks

$(B)/stationd: $(B)/station/daemon/stationd.o $(B)/libstation.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(B)/stationctl: $(CTL_OBJS) $(B)/libstation.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)
