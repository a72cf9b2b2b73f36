/*
 * Who may use the console: the users file (name:role:crypt-hash, 0600),
 * sessions with random ids and CSRF tokens, the login page, and the limit
 * on failed logins (per address and overall: a hash check costs the loop
 * milliseconds, so it is rationed).
 */
#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "station/daemon/config.h"
#include "station/daemon/daemon.h"
#include "station/store/store.h"
#include "station/web/web.h"
#include "station/web/web_int.h"

#define SESSION_COOKIE "station_session"
#define FAIL_MAX       5 /* failed logins per address per window */
#define FAIL_WINDOW_MS (60LL * 1000)
#define CHECKS_PER_SEC 20 /* password checks per second at most (the worker has one core) */

static int
random_hex(char *out, size_t bytes)
{
	unsigned char raw[32];
	size_t i;

	if (bytes > sizeof(raw) || getrandom(raw, bytes, 0) != (ssize_t)bytes)
		return -1;
	for (i = 0; i < bytes; i++)
		snprintf(out + 2 * i, 3, "%02x", raw[i]);
	return 0;
}

static enum web_role
role_parse(const char *s)
{
	if (strcmp(s, "viewer") == 0)
		return ROLE_VIEWER;
	if (strcmp(s, "supervisor") == 0)
		return ROLE_SUPERVISOR;
	return ROLE_NONE;
}

/*
 * Looks name up in the users file (read afresh, so web-user takes effect at
 * once): 1 with its hash and role, 0 no such name, -1 the file is unreadable
 * or no longer private (logged).
 */
static int
users_lookup(const char *path, const char *name, char *hash, size_t hashlen, enum web_role *role)
{
	char line[1024];
	struct stat sb;
	int found = 0;
	FILE *f;

	if ((f = fopen(path, "re")) == NULL) {
		log_warn("web: users_file %s", path);
		return -1;
	}
	if (fstat(fileno(f), &sb) == -1 || (sb.st_mode & 077) != 0) {
		log_warnx("web: users_file %s is no longer 0600: every login refused", path);
		fclose(f);
		return -1;
	}
	while (!found && fgets(line, sizeof(line), f)) {
		char *user = strtok(line, ":\n"), *r = strtok(NULL, ":\n"), *h = strtok(NULL, "\n");

		if (user == NULL || r == NULL || h == NULL || strcmp(user, name) != 0)
			continue;
		if ((*role = role_parse(r)) != ROLE_NONE && strlen(h) < hashlen) {
			snprintf(hash, hashlen, "%s", h);
			found = 1;
		}
	}
	fclose(f);
	explicit_bzero(line, sizeof(line));
	return found;
}

struct web_session *
auth_session(struct web *w, struct MHD_Connection *c)
{
	const char *id = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, SESSION_COOKIE);
	int64_t now = store_now_ms();
	size_t i;

	if (id == NULL || strlen(id) != 64)
		return NULL;
	for (i = 0; i < WEB_MAX_SESSIONS; i++) {
		struct web_session *s = &w->sessions[i];

		if (s->id[0] == '\0' || !web_token_eq(s->id, id))
			continue;
		if (now > s->expires_ms || now - s->seen_ms > WEB_IDLE_MS) {
			memset(s, 0, sizeof(*s));
			return NULL;
		}
		s->seen_ms = now;
		return s;
	}
	return NULL;
}

/* A free slot, else the one idle longest (a full table logs out the stalest). */
static struct web_session *
session_slot(struct web *w)
{
	struct web_session *best = &w->sessions[0];
	size_t i;

	for (i = 0; i < WEB_MAX_SESSIONS; i++) {
		if (w->sessions[i].id[0] == '\0')
			return &w->sessions[i];
		if (w->sessions[i].seen_ms < best->seen_ms)
			best = &w->sessions[i];
	}
	return best;
}

int
auth_may_act(struct web_req *r)
{
	char token[80];

	if (r->sess == NULL || r->sess->role != ROLE_SUPERVISOR)
		return 0;
	if (!web_form(r, "csrf", token, sizeof(token)))
		return 0;
	return web_token_eq(token, r->sess->csrf);
}

/* Only a path on this site: "/..." but not "//host" or "/\host". */
static const char *
safe_next(const char *next)
{
	if (next == NULL || next[0] != '/' || next[1] == '/' || next[1] == '\\' ||
	    strpbrk(next, "\r\n") != NULL)
		return "/";
	return next;
}

enum MHD_Result
auth_login_page(struct web_req *r, unsigned status, const char *msg)
{
	struct wbuf b = { 0 };
	const char *next = safe_next(web_arg(r, "next"));
	char nextf[600];

	if (web_form(r, "next", nextf, sizeof(nextf)))
		next = safe_next(nextf);
	web_page_begin(&b, r, "Log in", "");
	wb_puts(&b, "<form class=\"login\" method=\"post\" action=\"/login\"><h1>Station</h1>");
	if (msg) {
		wb_puts(&b, "<p class=\"error\" id=\"login-error\">");
		wb_esc(&b, msg);
		wb_puts(&b, "</p>");
	}
	wb_puts(&b,
	    "<label>Name <input name=\"user\" id=\"user\" autocomplete=\"username\""
	    " required></label><label>Password <input type=\"password\" name=\"password\""
	    " id=\"password\" autocomplete=\"current-password\" required></label>"
	    "<input type=\"hidden\" name=\"next\" value=\"");
	wb_esc(&b, next);
	wb_puts(&b, "\"><button type=\"submit\" id=\"login\">Log in</button></form>");
	web_page_end(&b);
	return web_send_wbuf(r, status, "text/html; charset=utf-8", &b, NULL);
}

static struct web_fail *
fail_slot(struct web *w, const char *ip, int64_t now)
{
	struct web_fail *old = &w->fails[0];
	size_t i;

	for (i = 0; i < WEB_FAIL_SLOTS; i++) {
		if (strcmp(w->fails[i].ip, ip) == 0) {
			if (now - w->fails[i].first_ms > FAIL_WINDOW_MS) {
				w->fails[i].count = 0;
				w->fails[i].first_ms = now;
			}
			return &w->fails[i];
		}
		if (w->fails[i].first_ms < old->first_ms)
			old = &w->fails[i];
	}
	snprintf(old->ip, sizeof(old->ip), "%s", ip);
	old->count = 0;
	old->first_ms = now;
	return old;
}

/* 1 if one more password may be checked now (overall budget per second). */
static int
check_budget(struct web *w, int64_t now)
{
	if (now / 1000 != w->checks_second) {
		w->checks_second = now / 1000;
		w->checks_in_second = 0;
	}
	return w->checks_in_second++ < CHECKS_PER_SEC;
}

static enum MHD_Result
login_ok(struct web_req *r, const char *user, enum web_role role)
{
	struct web_session *s = session_slot(r->w);
	struct MHD_Response *resp;
	char cookie[256], next[600];
	enum MHD_Result ret;
	int64_t now = store_now_ms();

	memset(s, 0, sizeof(*s));
	if (random_hex(s->id, 32) == -1 || random_hex(s->csrf, 32) == -1) {
		memset(s, 0, sizeof(*s));
		return web_send_error(r, 500, "no randomness for a session");
	}
	snprintf(s->user, sizeof(s->user), "%s", user);
	s->role = role;
	s->expires_ms = now + WEB_SESSION_MS;
	s->seen_ms = now;
	snprintf(cookie, sizeof(cookie),
	    SESSION_COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict;"
			   " Max-Age=%lld%s",
	    s->id, WEB_SESSION_MS / 1000, r->w->tls ? "; Secure" : "");
	if (!web_form(r, "next", next, sizeof(next)))
		snprintf(next, sizeof(next), "/");
	log_info("web: %s logged in from %s (%s)", user, r->ip,
	    role == ROLE_SUPERVISOR ? "supervisor" : "viewer");
	if ((resp = MHD_create_response_from_buffer(0, (char *)"", MHD_RESPMEM_PERSISTENT)) == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, "Set-Cookie", cookie);
	MHD_add_response_header(resp, "Location", safe_next(next));
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	ret = MHD_queue_response(r->conn, 303, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result
login_failed(struct web_req *r, const char *user)
{
	struct web_fail *f = fail_slot(r->w, r->ip, store_now_ms());

	f->count++;
	r->w->logins_failed++;
	log_warnx("web: failed login for '%.63s' from %s (%d in a minute)", user, r->ip, f->count);
	return auth_login_page(r, 401, "Wrong name or password.");
}

/*
 * POST /login, twice: first the checks that cost nothing, then the
 * password goes to the worker and the connection waits suspended; MHD
 * calls again once it is resumed with the answer.
 */
enum MHD_Result
auth_login_post(struct web_req *r)
{
	char user[64], password[256], hash[256];
	int64_t now = store_now_ms();
	struct web_fail *f;
	int found;

	if (r->login_state == LOGIN_PENDING)
		return MHD_YES;
	if (r->login_state == LOGIN_OK) {
		fail_slot(r->w, r->ip, now)->count = 0;
		return login_ok(r, r->login_user, r->login_role);
	}
	if (r->login_state == LOGIN_BAD)
		return login_failed(r, r->login_user);
	f = fail_slot(r->w, r->ip, now);
	if (f->count >= FAIL_MAX || !check_budget(r->w, now)) {
		log_warnx("web: login from %s refused: too many failed attempts", r->ip);
		return auth_login_page(r, 429, "Too many failed logins: wait a minute.");
	}
	if (!web_form(r, "user", user, sizeof(user)) ||
	    !web_form(r, "password", password, sizeof(password)))
		return auth_login_page(r, 400, "Give a name and a password.");
	snprintf(r->login_user, sizeof(r->login_user), "%s", user);
	found = users_lookup(
	    r->w->d->conf->web.users_file, user, hash, sizeof(hash), &r->login_role);
	if (found == -1) {
		explicit_bzero(password, sizeof(password));
		return login_failed(r, user);
	}
	if (login_submit(r, found ? hash : NULL, password) == -1) {
		explicit_bzero(password, sizeof(password));
		return auth_login_page(r, 503, "Busy: try again in a moment.");
	}
	explicit_bzero(password, sizeof(password));
	explicit_bzero(hash, sizeof(hash));
	return MHD_YES;
}

enum MHD_Result
auth_logout(struct web_req *r)
{
	char token[80];

	if (!web_form(r, "csrf", token, sizeof(token)) || !web_token_eq(token, r->sess->csrf))
		return web_send_error(r, 403, "missing or wrong form token");
	log_info("web: %s logged out", r->sess->user);
	memset(r->sess, 0, sizeof(*r->sess));
	r->sess = NULL;
	return web_redirect(r, "/login");
}

/* Writes the users file again with name's line replaced (or added), atomically, 0600. */
int
web_users_set(const char *path, const char *name, const char *role, const char *password, char *err,
    size_t errlen)
{
	char tmp[4096], line[1024], *salt, *hash;
	struct crypt_data *cd;
	FILE *in, *out;
	int fd, rc = -1;

	if (*name == '\0' || strpbrk(name, ":\n \t") || strlen(name) > 63) {
		snprintf(err, errlen, "a name is 1 to 63 characters, no ':' or spaces");
		return -1;
	}
	if (role_parse(role) == ROLE_NONE) {
		snprintf(err, errlen, "--role is viewer or supervisor");
		return -1;
	}
	if (strlen(password) < 8) {
		snprintf(err, errlen, "the password needs at least 8 characters");
		return -1;
	}
	if ((salt = crypt_gensalt_ra("$y$", 0, NULL, 0)) == NULL &&
	    (salt = crypt_gensalt_ra("$6$", 0, NULL, 0)) == NULL) {
		snprintf(err, errlen, "crypt_gensalt: %s", strerror(errno));
		return -1;
	}
	if ((cd = calloc(1, sizeof(*cd))) == NULL) {
		free(salt);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	hash = crypt_r(password, salt, cd);
	free(salt);
	if (hash == NULL || hash[0] == '*') {
		snprintf(err, errlen, "crypt: cannot hash");
		goto done;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmpXXXXXX", path);
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1 || (out = fdopen(fd, "w")) == NULL) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		goto done;
	}
	fchmod(fd, 0600);
	if ((in = fopen(path, "re")) != NULL) {
		size_t nl = strlen(name);

		while (fgets(line, sizeof(line), in))
			if (!(strncmp(line, name, nl) == 0 && line[nl] == ':'))
				fputs(line, out);
		fclose(in);
	}
	fprintf(out, "%s:%s:%s\n", name, role, hash);
	if (fflush(out) != 0 || fsync(fd) != 0 || fclose(out) != 0 || rename(tmp, path) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		unlink(tmp);
		goto done;
	}
	rc = 0;
done:
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return rc;
}
