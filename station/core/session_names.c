/* The session's names (verdicts) and the command barcode parser. */
#include <stdint.h>
#include <string.h>

#include "station/core/session.h"

/* The users' contract: these exact strings appear in JSON, CSV and the log. */
static const char *const verdict_names[V_COUNT] = {
	[V_OPENED] = "opened",
	[V_OK] = "ok",
	[V_COMPLETED] = "completed",
	[V_PARTIAL_SHIPPED] = "partial_shipped",
	[V_NEW_BOX] = "new_box",
	[V_UNDONE] = "undone",
	[V_QUANTITY_SET] = "quantity_set",
	[V_ABANDONED] = "abandoned",
	[V_PACKER] = "packer",
	[V_LOGOUT] = "logout",
	[V_REPRINT] = "reprint",
	[V_NOT_FOUND] = "not_found",
	[V_ON_HOLD] = "on_hold",
	[V_CANCELLED] = "cancelled",
	[V_ALREADY_FULFILLED] = "already_fulfilled",
	[V_BUSY_ELSEWHERE] = "busy_elsewhere",
	[V_ORDER_OPEN] = "order_open",
	[V_NO_ORDER_OPEN] = "no_order_open",
	[V_WRONG_ITEM] = "wrong_item",
	[V_TOO_MANY] = "too_many",
	[V_UNKNOWN_CODE] = "unknown_code",
	[V_STORE_UNAVAILABLE] = "store_unavailable",
	[V_DUPLICATE_READ] = "duplicate_read",
	[V_WEIGHED] = "weighed",
	[V_LABEL_VERIFIED] = "label_verified",
	[V_OVERRIDE_PIN] = "override_pin",
	[V_OVERRIDDEN] = "overridden",
	[V_WEIGHT_MISMATCH] = "weight_mismatch",
	[V_WEIGHT_PENDING] = "weight_pending",
	[V_WRONG_LABEL] = "wrong_label",
	[V_LABEL_NOT_VERIFIED] = "label_not_verified",
	[V_OVERRIDE_REFUSED] = "override_refused",
};

const char *
verdict_name(enum verdict v)
{
	if ((unsigned)v >= V_COUNT)
		return "unknown";
	return verdict_names[v];
}

int
verdict_is_refusal(enum verdict v)
{
	/* A duplicate read is ignored, not refused: the packer did nothing wrong. */
	if (v >= V_NOT_FOUND && v <= V_STORE_UNAVAILABLE)
		return 1;
	/* the packing checks' refusals, after the first list */
	return v >= V_WEIGHT_MISMATCH && v < V_COUNT;
}

#define CMD_PREFIX "STN:"
#define QTY_MAX	   9999
#define PACKER_MAX 63

/* Commands with no argument, matched exactly after "STN:". */
static const struct {
	const char *word;
	enum sess_cmd cmd;
} plain_cmds[] = {
	{ "PARTIAL", CMD_PARTIAL },
	{ "NEWBOX", CMD_NEWBOX },
	{ "UNDO", CMD_UNDO },
	{ "REPRINT", CMD_REPRINT },
	{ "ABANDON", CMD_ABANDON },
	{ "LOGOUT", CMD_LOGOUT },
	{ "WEIGH", CMD_WEIGH },
};

/* Decimal 1..9999, digits only: no sign, no spaces, no leading "+". */
static int
parse_qty(const char *s, int64_t *qty)
{
	int64_t v = 0;
	size_t n = 0;

	for (; s[n] != '\0'; n++) {
		if (s[n] < '0' || s[n] > '9' || n >= 5)
			return -1;
		v = v * 10 + (s[n] - '0');
	}
	if (n == 0 || v < 1 || v > QTY_MAX)
		return -1;
	*qty = v;
	return 0;
}

/* A badge id: 1..63 printable ASCII without spaces (it goes in logs and CSV). */
static int
parse_packer(const char *s, char *packer, size_t packerlen)
{
	size_t n;

	for (n = 0; s[n] != '\0'; n++)
		if (s[n] <= ' ' || s[n] > '~' || n >= PACKER_MAX)
			return -1;
	if (n == 0 || packer == NULL || packerlen <= n)
		return -1;
	memcpy(packer, s, n + 1);
	return 0;
}

int
session_parse_command(
    const char *code, enum sess_cmd *cmd, int64_t *qty, char *packer, size_t packerlen)
{
	const char *rest;
	size_t i;
	int64_t q;

	if (code == NULL || strncmp(code, CMD_PREFIX, strlen(CMD_PREFIX)) != 0)
		return 0;
	rest = code + strlen(CMD_PREFIX);
	for (i = 0; i < sizeof(plain_cmds) / sizeof(plain_cmds[0]); i++) {
		if (strcmp(rest, plain_cmds[i].word) == 0) {
			*cmd = plain_cmds[i].cmd;
			return 1;
		}
	}
	if (strncmp(rest, "QTY:", 4) == 0) {
		if (parse_qty(rest + 4, &q) == -1)
			return -1;
		if (qty != NULL)
			*qty = q;
		*cmd = CMD_QTY;
		return 1;
	}
	if (strncmp(rest, "PACKER:", 7) == 0) {
		if (parse_packer(rest + 7, packer, packerlen) == -1)
			return -1;
		*cmd = CMD_PACKER;
		return 1;
	}
	/* a badge id, optionally ":PIN" when the badge's barcode carries both */
	if (strncmp(rest, "OVERRIDE:", 9) == 0) {
		if (rest[9] == ':' || parse_packer(rest + 9, packer, packerlen) == -1)
			return -1;
		*cmd = CMD_OVERRIDE;
		return 1;
	}
	return -1;
}
