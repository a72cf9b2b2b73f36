/*
 * The pack-session machine: pure logic, no I/O. From (station state, the
 * open order as the store sees it now, one classified scan) to (verdict,
 * next state, effects). The caller (station.c) performs the effects in one
 * transaction with the scan row, commits, and only then shows the verdict.
 */
#ifndef STATION_SESSION_H
#define STATION_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "station/core/order_state.h"

enum verdict {
	V_OPENED = 0,
	V_OK,
	V_COMPLETED,
	V_PARTIAL_SHIPPED,
	V_NEW_BOX,
	V_UNDONE,
	V_QUANTITY_SET,
	V_ABANDONED,
	V_PACKER,
	V_LOGOUT,
	V_REPRINT,
	/* refusals from here on */
	V_NOT_FOUND,
	V_ON_HOLD,
	V_CANCELLED,
	V_ALREADY_FULFILLED,
	V_BUSY_ELSEWHERE,
	V_ORDER_OPEN,
	V_NO_ORDER_OPEN,
	V_WRONG_ITEM,
	V_TOO_MANY,
	V_UNKNOWN_CODE,
	V_STORE_UNAVAILABLE, /* the database is away: nothing recorded, scan again */
	V_DUPLICATE_READ,    /* ignored double read: not a refusal */
	/*
	 * Packing checks (issue 15), after the original list so that the
	 * names and numbers above stay as they were. Not refusals:
	 */
	V_WEIGHED,	  /* STN:WEIGH with nothing blocked: the reading */
	V_LABEL_VERIFIED, /* the printed label was scanned back */
	V_OVERRIDE_PIN,	  /* STN:OVERRIDE:<badge> taken: the PIN next */
	V_OVERRIDDEN,	  /* a supervisor passed a blocked check */
	/* refusals again: */
	V_WEIGHT_MISMATCH,    /* the box weighs outside the tolerance */
	V_WEIGHT_PENDING,     /* no stable reading to check the box with */
	V_WRONG_LABEL,	      /* another package's label was scanned */
	V_LABEL_NOT_VERIFIED, /* the printed label has not been scanned back */
	V_OVERRIDE_REFUSED,   /* unknown badge, own badge, wrong PIN, nothing blocked */
	V_COUNT
};

/* The contract's names: "opened", "ok", ..., "duplicate_read". */
const char *verdict_name(enum verdict);
/* 1 for verdicts that refuse the scan (stationctl exits 1), else 0. */
int verdict_is_refusal(enum verdict);

enum sess_cmd {
	CMD_PARTIAL,
	CMD_NEWBOX,
	CMD_UNDO,
	CMD_QTY,
	CMD_REPRINT,
	CMD_ABANDON,
	CMD_PACKER,
	CMD_LOGOUT,
	CMD_WEIGH,
	CMD_OVERRIDE
};

/*
 * Recognises the command barcodes: STN:PARTIAL, STN:NEWBOX, STN:UNDO,
 * STN:QTY:<n> (1..9999), STN:REPRINT, STN:ABANDON, STN:PACKER:<id>
 * (id: 1..63 printable ASCII, no spaces), STN:LOGOUT, STN:WEIGH,
 * STN:OVERRIDE:<badge>[:<pin>] (packer gets "badge" or "badge:pin", the
 * same characters as a packer id). Exact upper case.
 * Returns 1 and fills cmd (and *qty or packer) for a valid command, 0 for
 * a code that does not start with "STN:", -1 for a malformed STN: code.
 */
int session_parse_command(
    const char *code, enum sess_cmd *cmd, int64_t *qty, char *packer, size_t packerlen);

/* What a bench is held on until it is resolved (sess_state.hold). */
enum sess_hold {
	HOLD_NONE = 0,
	HOLD_WEIGHT, /* a box close was blocked by the weight check (hold_close says which) */
	HOLD_LABEL   /* a printed label waits to be scanned back (label_code) */
};

/* The box closes a weight check may block. */
enum sess_close { CLOSE_NONE = 0, CLOSE_NEWBOX, CLOSE_PARTIAL, CLOSE_COMPLETE };

/* What a station remembers between scans (persisted by the store). */
struct sess_state {
	int64_t order_id;	 /* 0: no order open */
	int box;		 /* current box number in this shipment, from 1 */
	int64_t qty_next;	 /* units multiplier for the next item scan, 0 = none */
	char packer[64];	 /* "" when nobody is logged in */
	char last_code[256];	 /* previous scan at this station, for duplicates */
	int64_t last_ms;	 /* its time */
	int hold;		 /* enum sess_hold */
	int hold_close;		 /* HOLD_WEIGHT: enum sess_close that waits */
	char label_code[40];	 /* HOLD_LABEL: the SSCC the bench waits for */
	char label_order[64];	 /* HOLD_LABEL: whose label it is ("#1001") */
	char override_badge[64]; /* a supervisor's badge waiting for its PIN */
};

struct sess_line {
	int64_t line_id; /* the store's line row id */
	const char *sku;
	const char *title;
	int64_t remaining;  /* shippable units not yet shipped (this shipment's target) */
	int64_t packed;	    /* scanned in the open session, all boxes */
	int64_t packed_box; /* of which in the current (open) box */
	int64_t grams;	    /* one unit's product weight, -1: unknown */
};

/* An order as the store sees it now (re-imports included). */
struct sess_order {
	int64_t id;	  /* the store's order row id */
	const char *name; /* "#1001" */
	enum order_status status;
	const char *hold_reason;       /* when ON_HOLD */
	const char *station;	       /* where it is open, NULL if nowhere */
	const struct sess_line *lines; /* shippable lines only */
	size_t nlines;
};

enum scan_kind {
	SCAN_UNKNOWN = 0, /* matched no order, product, SKU or command */
	SCAN_ORDER,	  /* names an order: see target */
	SCAN_ITEM,	  /* a known product: sku and multiplier */
	SCAN_COMMAND,	  /* STN:...; cmd, qty, packer */
	SCAN_LABEL,	  /* a package label (SSCC): label_sscc, label_order */
	SCAN_PIN	  /* what follows STN:OVERRIDE:<badge>: pin_ok */
};

/*
 * The bench's packing checks and its scale now (NULL in sess_input: none
 * configured). The caller reads the scale; the machine stays pure.
 */
struct sess_checks {
	int scale;		 /* a scale is configured here */
	int stable;		 /* it shows a stable reading now */
	int64_t grams;		 /* that reading */
	const char *scale_state; /* when not stable: "in motion", "absent", ... */
	int weight_check;	 /* weigh boxes against what they should weigh */
	int tol_permille;	 /* tolerance in tenths of a percent, or */
	int64_t tol_grams;	 /* in grams */
	int64_t tare_grams;	 /* the empty box */
	int verify_label;	 /* printed labels are scanned back */
};

struct sess_input {
	const char *station;
	const char *code;      /* as scanned */
	int64_t now_ms;	       /* wall clock, ms */
	int64_t dup_window_ms; /* same code again within this: duplicate_read */
	enum scan_kind kind;
	/* SCAN_COMMAND */
	enum sess_cmd cmd;
	int64_t qty;
	const char *packer;
	/* SCAN_ORDER: the order the code names (may be the open one) */
	const struct sess_order *target;
	/* SCAN_ITEM */
	const char *sku;
	int64_t multiplier; /* >= 1 */
	/* for STN:UNDO: the last counted item scan in the current box */
	int has_last_item;
	int64_t last_item_line; /* its line_id */
	int64_t last_item_units;
	/* for STN:REPRINT: this station has printed a label before */
	int has_last_label;
	/* packing checks; NULL: none */
	const struct sess_checks *checks;
	/* SCAN_LABEL: the package's SSCC and whose it is ("#1002 box 1") */
	const char *label_sscc;
	const char *label_order;
	/*
	 * CMD_OVERRIDE: badge_known (the badge is in override_pins), and for a
	 * badge carrying its PIN or a SCAN_PIN, pin_ok (the PIN matches).
	 */
	int badge_known;
	int has_pin;
	int pin_ok;
};

enum sess_effect_kind {
	EFF_OPEN,	     /* open target at this station (order -> in_progress) */
	EFF_COUNT_ITEM,	     /* record line_id += units in the current box */
	EFF_UNDO_ITEM,	     /* take back the last counted item scan */
	EFF_CLOSE_BOX,	     /* close the current box: SSCC, label print */
	EFF_SHIP_FULL,	     /* record the fulfillment of all packed units, close session */
	EFF_SHIP_PARTIAL,    /* the same, the rest stays packable later */
	EFF_ABANDON,	     /* close session, nothing shipped, scans kept */
	EFF_CLOSE_CANCELLED, /* order cancelled mid-pack: close, nothing shipped */
	EFF_CLOSE_SHIPPED,   /* order fulfilled upstream mid-pack: close, nothing shipped */
	EFF_REPRINT_LABEL,   /* reprint this station's last label */
	EFF_CONFLICT_EVENT,  /* a supervisor must look: line_id packed > remaining */
	EFF_OVERRIDE_EVENT   /* a supervisor passed a check: who and why in res->override */
};

struct sess_effect {
	enum sess_effect_kind kind;
	int64_t order_id;
	int64_t line_id;
	int64_t units;
};

#define SESS_MAX_EFFECTS 10

struct sess_result {
	enum verdict verdict;
	struct sess_state next; /* the station's state after this scan */
	struct sess_effect eff[SESS_MAX_EFFECTS];
	size_t neff;
	int64_t order_id;	/* order concerned, 0 if none */
	const char *order_name; /* points into the inputs, may be NULL */
	const char *sku;	/* for item verdicts, may be NULL */
	int64_t line_id;	/* for item verdicts, 0 if none */
	int64_t packed;		/* n of m for item verdicts (after this scan) */
	int64_t of;
	char message[256]; /* one line for the packer, plain words */
	/* EFF_CLOSE_BOX: the box's weight from the scale (grams), -1: computed */
	int64_t box_grams;
	/* said after the verdict's message: "WEIGHT 1.24 kg (expected 1.22 kg)" */
	char note[128];
	/* EFF_OVERRIDE_EVENT: "supervisor S passed: WEIGHT ... (packer P)" */
	char override[256];
};

/*
 * Decides one scan. open is the order the state has open (NULL when
 * state->order_id is 0), freshly loaded. Never fails, never allocates;
 * res->next starts as a copy of *state and always records the scan for
 * duplicate detection.
 */
void session_step(const struct sess_state *state, const struct sess_order *open,
    const struct sess_input *in, struct sess_result *res);

#endif
