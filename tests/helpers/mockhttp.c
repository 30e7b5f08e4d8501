/*
 * mockhttp: a loopback HTTP/1.1 server for the fetcher tests.  It serves
 * recorded or hand-written responses from a folder, in the bytes of the
 * real APIs, so that fetch-sec and fetch-yahoo speak real HTTP without
 * leaving the machine.
 *
 *   mockhttp --root DIR --port-file FILE [--log FILE] [--max-seconds N]
 *            [--require-user-agent-contact] [--crumb CRUMB]
 *
 * Interface:
 * - Listens on 127.0.0.1 only, on a port the kernel chooses, and writes
 *   that port number to the --port-file once it accepts connections (the
 *   file appears atomically, so a reader never sees half a number).
 * - GET /a/b?q serves DIR/a/b?q when that file exists (Yahoo's requests
 *   differ only in their query), else DIR/a/b.  Content-Type follows the
 *   extension: .json application/json, .xml application/xml, .atom
 *   application/atom+xml, anything else text/plain.  Percent-escapes in
 *   the path are decoded; a path with a ".." segment gets 400.
 * - A missing file gets 404 with an XML NoSuchKey body like the one SEC's
 *   storage returns for an unknown CIK.  Methods other than GET get 405.
 * - Fault injection: a sidecar file DIR/a/b.fault contains one line per
 *   request to inject, "STATUS [HEADER: VALUE]" (for example
 *   "429 Retry-After: 1" or "503") or "drop" (close the connection without
 *   a response).  "STATUS @FILE [HEADER: VALUE]" sends the bytes of
 *   DIR/FILE as the body, such as a recorded error body with the
 *   status Yahoo sends it with.  "slow MS" waits MS milliseconds and then
 *   responds normally; "truncate" announces the whole file in
 *   Content-Length but sends only its first half and closes the
 *   connection.  The first request for the path gets the first line, the
 *   next one the second, and so on; after the last line the file is
 *   served normally.  Blank lines and lines starting with '#' are ignored.
 *   Rewriting the fault file (a new modification time) starts the
 *   count again.
 * - --require-user-agent-contact answers 403 with an HTML page, as SEC
 *   does, when the User-Agent has no '@' (no contact address).
 * - --crumb CRUMB emulates Yahoo's quoteSummary session.  GET /cookie
 *   answers 404, as Yahoo's cookie page does, with the session cookie
 *   "Set-Cookie: A3=mockhttp-session".  GET /v1/test/getcrumb answers
 *   CRUMB as text when the request carries that cookie.  A request under
 *   /v10/finance/quoteSummary/ without the cookie or without crumb=CRUMB
 *   in its query gets 401 with Yahoo's "Invalid Crumb" body; with both,
 *   it is served like any other (fault files included).
 * - --log FILE gets one line per request, tab-separated: milliseconds on
 *   the monotonic clock, method, target, status sent (0 for "drop"), and
 *   the User-Agent ("-" when absent).
 * - Stops by itself after --max-seconds (default 120), and cleanly on
 *   SIGTERM or SIGINT.  Connections are served one at a time, each closed
 *   after its response ("Connection: close").
 */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_REQUEST_HEAD	16384
#define IO_TIMEOUT_MS		5000
#define MAX_FAULT_PATHS		256

struct options {
	const char *root;
	const char *port_file;
	const char *log_file;
	long max_seconds;
	bool require_contact;
	const char *crumb;		/* NULL: no Yahoo session emulation */
};

struct request {
	char method[16];
	char target[4096];	/* as sent: path and query */
	char path[4096];	/* decoded path, no query */
	char user_agent[1024];
	bool has_user_agent;
	char cookie[1024];
};

/* How many requests a path with a fault file has had since that file
 * was last written. */
struct fault_counter {
	char path[4096];
	unsigned count;
	ino_t inode;
	struct timespec mtime;
};

static volatile sig_atomic_t stop_requested;
static struct fault_counter fault_counters[MAX_FAULT_PATHS];
static size_t fault_counter_count;
static FILE *request_log;

static const char not_found_body[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<Error><Code>NoSuchKey</Code>"
    "<Message>The specified key does not exist.</Message>"
    "<Key>%s</Key><RequestId>MOCKHTTP0000001</RequestId>"
    "<HostId>mockhttp-loopback</HostId></Error>";

/* SEC responds to a request without a declared contact with an HTML
 * page.  The tests check only the status, so this text is our own. */
static const char forbidden_body[] =
    "<!DOCTYPE html>\n<html><head><title>Undeclared automated tool"
    "</title></head><body>\n"
    "<h1>Request rejected: undeclared automated tool</h1>\n"
    "<p>Automated requests must send a User-Agent that names the sender"
    " and a contact e-mail address, such as"
    " \"Jane Analyst jane@example.com\".</p>\n"
    "</body></html>\n";

/* The session cookie of --crumb, and Yahoo's error bodies without it. */
#define SESSION_COOKIE "A3=mockhttp-session"

static const char invalid_cookie_body[] =
    "{\"finance\":{\"result\":null,\"error\":{\"code\":\"Unauthorized\","
    "\"description\":\"Invalid Cookie\"}}}";

static const char invalid_crumb_body[] =
    "{\"finance\":{\"result\":null,\"error\":{\"code\":\"Unauthorized\","
    "\"description\":\"Invalid Crumb\"}}}";

static const char cookie_page_body[] =
    "<!DOCTYPE html>\n<html><body><p>mockhttp: session cookie set"
    "</p></body></html>\n";

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: mockhttp --root DIR --port-file FILE [--log FILE]\n"
	    "                [--max-seconds N] [--require-user-agent-contact]\n"
	    "                [--crumb CRUMB]\n");
}

static void
on_signal(int signo)
{
	(void)signo;
	stop_requested = 1;
}

static long
monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
parse_options(int argc, char **argv, struct options *opt)
{
	static const struct option longopts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "port-file", required_argument, NULL, 'p' },
		{ "log", required_argument, NULL, 'l' },
		{ "max-seconds", required_argument, NULL, 'm' },
		{ "require-user-agent-contact", no_argument, NULL, 'u' },
		{ "crumb", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	opt->max_seconds = 120;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': opt->root = optarg; break;
		case 'p': opt->port_file = optarg; break;
		case 'l': opt->log_file = optarg; break;
		case 'u': opt->require_contact = true; break;
		case 'c': opt->crumb = optarg; break;
		case 'm':
			opt->max_seconds = strtol(optarg, &end, 10);
			if (*end != '\0' || opt->max_seconds <= 0) {
				fprintf(stderr, "mockhttp: invalid --max-seconds '%s'\n",
				    optarg);
				exit(64);
			}
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(64);
		}
	}
	if (opt->root == NULL || opt->port_file == NULL || optind != argc) {
		usage(stderr);
		exit(64);
	}
}

static int
listen_loopback(unsigned short *port)
{
	struct sockaddr_in addr = { .sin_family = AF_INET };
	socklen_t len = sizeof addr;
	int fd;

	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 ||
	    listen(fd, 16) != 0 ||
	    getsockname(fd, (struct sockaddr *)&addr, &len) != 0) {
		close(fd);
		return -1;
	}
	*port = ntohs(addr.sin_port);
	return fd;
}

static int
write_port_file(const char *path, unsigned short port)
{
	char tmp[PATH_MAX];
	FILE *fp;

	if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
		return -1;
	fp = fopen(tmp, "w");
	if (fp == NULL)
		return -1;
	fprintf(fp, "%u\n", port);
	if (fclose(fp) != 0)
		return -1;
	return rename(tmp, path);
}

/* Waits until fd is ready for events; returns false on timeout or stop. */
static bool
wait_ready(int fd, short events, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	int n;

	do {
		n = poll(&pfd, 1, timeout_ms);
	} while (n < 0 && errno == EINTR && !stop_requested);
	return n > 0;
}

static bool
send_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n;

		if (!wait_ready(fd, POLLOUT, IO_TIMEOUT_MS))
			return false;
		n = send(fd, data, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		data += n;
		len -= (size_t)n;
	}
	return true;
}

/* Reads up to the blank line that ends the request head. */
static bool
read_request_head(int fd, char *buf, size_t size)
{
	size_t len = 0;

	while (len < size - 1) {
		ssize_t n;

		if (!wait_ready(fd, POLLIN, IO_TIMEOUT_MS))
			return false;
		n = recv(fd, buf + len, size - 1 - len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		len += (size_t)n;
		buf[len] = '\0';
		if (strstr(buf, "\r\n\r\n") != NULL)
			return true;
	}
	return false;
}

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes the path part of target into path.  Returns false for a path
 * that could leave the root: a ".." segment or an encoded NUL. */
static bool
decode_path(const char *target, char *path, size_t size)
{
	size_t n = 0;
	const char *p;

	for (p = target; *p != '\0' && *p != '?' && n < size - 1; p++) {
		int hi, lo;

		if (*p == '%' && (hi = hex_value(p[1])) >= 0 &&
		    (lo = hex_value(p[2])) >= 0) {
			path[n++] = (char)(hi * 16 + lo);
			p += 2;
		} else {
			path[n++] = *p;
		}
		if (path[n - 1] == '\0')
			return false;
	}
	path[n] = '\0';
	if (path[0] != '/')
		return false;
	for (p = path; (p = strstr(p, "..")) != NULL; p += 2)
		if (p[-1] == '/' && (p[2] == '/' || p[2] == '\0'))
			return false;
	return true;
}

static bool
parse_request(char *head, struct request *req)
{
	char *line, *save, *colon, *value;

	memset(req, 0, sizeof *req);
	line = strtok_r(head, "\r\n", &save);
	if (line == NULL || sscanf(line, "%15s %4095s", req->method,
	    req->target) != 2)
		return false;
	while ((line = strtok_r(NULL, "\r\n", &save)) != NULL) {
		colon = strchr(line, ':');
		if (colon == NULL)
			continue;
		*colon = '\0';
		value = colon + 1;
		while (*value == ' ' || *value == '\t')
			value++;
		if (strcasecmp(line, "User-Agent") == 0) {
			snprintf(req->user_agent, sizeof req->user_agent, "%s",
			    value);
			req->has_user_agent = true;
		} else if (strcasecmp(line, "Cookie") == 0) {
			snprintf(req->cookie, sizeof req->cookie, "%s", value);
		}
	}
	return true;
}

static const char *
reason_phrase(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return "Status";
	}
}

static const char *
content_type_for(const char *path)
{
	const char *dot = strrchr(path, '.');

	if (dot == NULL || strchr(dot, '/') != NULL)
		return "text/plain";
	if (strcmp(dot, ".json") == 0)
		return "application/json";
	if (strcmp(dot, ".xml") == 0)
		return "application/xml";
	if (strcmp(dot, ".atom") == 0)
		return "application/atom+xml";
	return "text/plain";
}

/* The request being served and when it arrived; send_response logs it. */
static const struct request *pending_request;
static long pending_ms;

/*
 * Logs the pending request with its status, once.  It runs before the
 * response is sent, so a client that has its response finds the line in
 * the log already.
 */
static void
log_request(int status)
{
	const struct request *req = pending_request;

	pending_request = NULL;
	if (request_log == NULL || req == NULL)
		return;
	fprintf(request_log, "%ld\t%s\t%s\t%d\t%s\n", pending_ms, req->method,
	    req->target, status,
	    req->has_user_agent ? req->user_agent : "-");
	fflush(request_log);
}

/* Sends a response head announcing length bytes, then the first sent
 * bytes of body: all of them, except for a "truncate" fault. */
static bool
send_response_part(int fd, int status, const char *content_type,
    const char *extra_header, const char *body, size_t length, size_t sent)
{
	char head[2048];
	int n;

	n = snprintf(head, sizeof head,
	    "HTTP/1.1 %d %s\r\n"
	    "Content-Type: %s\r\n"
	    "Content-Length: %zu\r\n"
	    "%s%s"
	    "Connection: close\r\n"
	    "\r\n",
	    status, reason_phrase(status), content_type, length,
	    extra_header != NULL ? extra_header : "",
	    extra_header != NULL ? "\r\n" : "");
	if (n < 0 || (size_t)n >= sizeof head)
		return false;
	log_request(status);
	return send_all(fd, head, (size_t)n) && send_all(fd, body, sent);
}

static bool
send_response(int fd, int status, const char *content_type,
    const char *extra_header, const char *body, size_t length)
{
	return send_response_part(fd, status, content_type, extra_header, body,
	    length, length);
}

/* Reads a whole file into memory.  Returns NULL when it cannot be read
 * or is not a regular file. */
static char *
read_file(const char *path, size_t *length)
{
	struct stat st;
	char *data;
	FILE *fp;

	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return NULL;
	fp = fopen(path, "rb");
	if (fp == NULL)
		return NULL;
	data = malloc((size_t)st.st_size + 1);
	if (data != NULL) {
		*length = fread(data, 1, (size_t)st.st_size, fp);
		data[*length] = '\0';
	}
	fclose(fp);
	return data;
}

/* Returns the number of requests seen for path before this one since
 * its fault file, described by st, was last written. */
static unsigned
count_request(const char *path, const struct stat *st)
{
	struct fault_counter *counter = NULL;

	for (size_t i = 0; i < fault_counter_count && counter == NULL; i++)
		if (strcmp(fault_counters[i].path, path) == 0)
			counter = &fault_counters[i];
	if (counter == NULL) {
		if (fault_counter_count == MAX_FAULT_PATHS)
			return UINT_MAX;
		counter = &fault_counters[fault_counter_count++];
		snprintf(counter->path, sizeof counter->path, "%s", path);
		counter->count = 0;
	}
	if (counter->inode != st->st_ino ||
	    counter->mtime.tv_sec != st->st_mtim.tv_sec ||
	    counter->mtime.tv_nsec != st->st_mtim.tv_nsec) {
		counter->inode = st->st_ino;
		counter->mtime = st->st_mtim;
		counter->count = 0;
	}
	return counter->count++;
}

/*
 * Finds the fault line for this request of path, if any, and copies it
 * into line.  Returns false when the request is to be served normally.
 */
static bool
find_fault(const char *root, const char *path, char *line, size_t size)
{
	char fault_path[PATH_MAX];
	unsigned index, seen = 0;
	bool found = false;
	struct stat st;
	FILE *fp;

	if (snprintf(fault_path, sizeof fault_path, "%s%s.fault", root, path) >=
	    (int)sizeof fault_path)
		return false;
	fp = fopen(fault_path, "r");
	if (fp == NULL)
		return false;
	if (fstat(fileno(fp), &st) != 0) {
		fclose(fp);
		return false;
	}
	index = count_request(path, &st);
	while (!found && fgets(line, (int)size, fp) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0' || line[0] == '#')
			continue;
		found = seen++ == index;
	}
	fclose(fp);
	return found;
}

/* How a request is served when its fault line does not answer it. */
enum serve_mode {
	SERVE_NORMALLY,
	SERVE_TRUNCATED,
};

static void
sleep_ms(long ms)
{
	struct timespec delay = { ms / 1000, (ms % 1000) * 1000000L }, rest;

	while (nanosleep(&delay, &rest) != 0 && errno == EINTR &&
	    !stop_requested)
		delay = rest;
}

/* Reads DIR/name for a fault's body; name must stay inside DIR. */
static char *
read_body_file(const char *root, const char *name, size_t *length)
{
	char path[PATH_MAX];

	if (name[0] == '\0' || name[0] == '/' || strstr(name, "..") != NULL ||
	    snprintf(path, sizeof path, "%s/%s", root, name) >= (int)sizeof path)
		return NULL;
	return read_file(path, length);
}

/*
 * Sends the injected fault.  Returns the status sent, 0 for "drop", or
 * -1 when the line leaves the answer to the normal path (after "slow",
 * or for "truncate" with *mode set).
 */
static int
send_fault(int fd, const char *root, const char *line, enum serve_mode *mode)
{
	const char *header, *content_type = "text/plain";
	char body_text[128], name[PATH_MAX];
	char *end, *file_body = NULL;
	const char *body = body_text;
	size_t length;
	long status;

	if (strcmp(line, "drop") == 0) {
		log_request(0);
		return 0;
	}
	if (strcmp(line, "truncate") == 0) {
		*mode = SERVE_TRUNCATED;
		return -1;
	}
	if (strncmp(line, "slow ", 5) == 0) {
		sleep_ms(strtol(line + 5, NULL, 10));
		return -1;
	}
	status = strtol(line, &end, 10);
	if (end == line || status < 100 || status > 599) {
		fprintf(stderr, "mockhttp: invalid fault line '%s'\n", line);
		status = 500;
		end = NULL;
	}
	header = end;
	while (header != NULL && *header == ' ')
		header++;
	if (header != NULL && *header == '@') {
		size_t n = strcspn(header + 1, " ");

		snprintf(name, sizeof name, "%.*s", (int)n, header + 1);
		file_body = read_body_file(root, name, &length);
		if (file_body == NULL)
			fprintf(stderr, "mockhttp: fault body '%s' cannot be "
			    "read\n", name);
		else
			content_type = content_type_for(name);
		header += 1 + n;
		while (*header == ' ')
			header++;
	}
	if (header != NULL && *header == '\0')
		header = NULL;
	if (file_body != NULL) {
		body = file_body;
	} else {
		snprintf(body_text, sizeof body_text, "injected fault: HTTP %ld\n",
		    status);
		length = strlen(body_text);
	}
	send_response(fd, (int)status, content_type, header, body, length);
	free(file_body);
	return (int)status;
}

static int
send_not_found(int fd, const char *path)
{
	char body[1024];
	int n = snprintf(body, sizeof body, not_found_body, path + 1);

	if (n < 0 || (size_t)n >= sizeof body)
		n = snprintf(body, sizeof body, not_found_body, "");
	send_response(fd, 404, "application/xml", NULL, body, (size_t)n);
	return 404;
}

/* Serves DIR/path?query when it exists, else DIR/path. */
static int
send_file(int fd, const char *root, const struct request *req,
    enum serve_mode mode)
{
	char file[PATH_MAX];
	const char *query = strchr(req->target, '?');
	size_t length = 0;
	char *data = NULL;
	int status;

	if (query != NULL && snprintf(file, sizeof file, "%s%s%s", root,
	    req->path, query) < (int)sizeof file)
		data = read_file(file, &length);
	if (data == NULL && snprintf(file, sizeof file, "%s%s", root,
	    req->path) < (int)sizeof file)
		data = read_file(file, &length);
	if (data == NULL)
		return send_not_found(fd, req->path);
	status = 200;
	send_response_part(fd, status, content_type_for(req->path), NULL, data,
	    length, mode == SERVE_TRUNCATED ? length / 2 : length);
	free(data);
	return status;
}

/* Compares a percent-encoded query value, up to '&', '#' or the end,
 * with a plain value. */
static bool
query_value_is(const char *encoded, const char *value)
{
	const char *p = encoded;
	int hi, lo;

	for (; *p != '\0' && *p != '&' && *p != '#'; value++) {
		char c = *p++;

		if (c == '%' && (hi = hex_value(p[0])) >= 0 &&
		    (lo = hex_value(p[1])) >= 0) {
			c = (char)(hi * 16 + lo);
			p += 2;
		}
		if (*value != c)
			return false;
	}
	return *value == '\0';
}

/* True when the query of target has the parameter name with value. */
static bool
has_parameter(const char *target, const char *name, const char *value)
{
	const char *p = strchr(target, '?');
	size_t name_length = strlen(name);

	while (p != NULL) {
		p++;
		if (strncmp(p, name, name_length) == 0 && p[name_length] == '=' &&
		    query_value_is(p + name_length + 1, value))
			return true;
		p = strchr(p, '&');
	}
	return false;
}

static bool
has_session_cookie(const struct request *req)
{
	return strstr(req->cookie, SESSION_COOKIE) != NULL;
}

/*
 * Answers the requests of Yahoo's quoteSummary session (--crumb).
 * Returns the status sent, or -1 for a request it leaves to the
 * normal path.
 */
static int
answer_session(int fd, const char *crumb, const struct request *req)
{
	if (strcmp(req->path, "/cookie") == 0) {
		send_response(fd, 404, "text/html",
		    "Set-Cookie: " SESSION_COOKIE "; Path=/", cookie_page_body,
		    strlen(cookie_page_body));
		return 404;
	}
	if (strcmp(req->path, "/v1/test/getcrumb") == 0) {
		if (!has_session_cookie(req)) {
			send_response(fd, 401, "application/json", NULL,
			    invalid_cookie_body, strlen(invalid_cookie_body));
			return 401;
		}
		send_response(fd, 200, "text/plain", NULL, crumb, strlen(crumb));
		return 200;
	}
	if (strncmp(req->path, "/v10/finance/quoteSummary/", 26) == 0 &&
	    (!has_session_cookie(req) ||
	    !has_parameter(req->target, "crumb", crumb))) {
		send_response(fd, 401, "application/json", NULL,
		    invalid_crumb_body, strlen(invalid_crumb_body));
		return 401;
	}
	return -1;
}

static int
answer(int fd, const struct options *opt, const struct request *req)
{
	static const char bad_request[] = "bad request\n";
	static const char not_allowed[] = "method not allowed\n";
	enum serve_mode mode = SERVE_NORMALLY;
	char fault[512];
	int status;

	if (strcmp(req->method, "GET") != 0) {
		send_response(fd, 405, "text/plain", "Allow: GET", not_allowed,
		    strlen(not_allowed));
		return 405;
	}
	if (req->path[0] == '\0') {
		send_response(fd, 400, "text/plain", NULL, bad_request,
		    strlen(bad_request));
		return 400;
	}
	if (opt->require_contact && strchr(req->user_agent, '@') == NULL) {
		send_response(fd, 403, "text/html", NULL, forbidden_body,
		    strlen(forbidden_body));
		return 403;
	}
	if (opt->crumb != NULL &&
	    (status = answer_session(fd, opt->crumb, req)) >= 0)
		return status;
	if (find_fault(opt->root, req->path, fault, sizeof fault) &&
	    (status = send_fault(fd, opt->root, fault, &mode)) >= 0)
		return status;
	return send_file(fd, opt->root, req, mode);
}


static void
serve_connection(int fd, const struct options *opt)
{
	char head[MAX_REQUEST_HEAD];
	struct request req;
	long ms = monotonic_ms();

	if (!read_request_head(fd, head, sizeof head))
		return;
	if (!parse_request(head, &req)) {
		static const char bad_request[] = "bad request\n";

		send_response(fd, 400, "text/plain", NULL, bad_request,
		    strlen(bad_request));
		return;
	}
	if (!decode_path(req.target, req.path, sizeof req.path))
		req.path[0] = '\0';
	pending_request = &req;
	pending_ms = ms;
	answer(fd, opt, &req);
	log_request(-1);	/* only when no response could be sent */
}

int
main(int argc, char **argv)
{
	struct options opt = { 0 };
	struct sigaction sa = { .sa_handler = on_signal };
	unsigned short port;
	long deadline;
	int listen_fd;

	parse_options(argc, argv, &opt);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (opt.log_file != NULL) {
		request_log = fopen(opt.log_file, "a");
		if (request_log == NULL) {
			fprintf(stderr, "mockhttp: %s: %s\n", opt.log_file,
			    strerror(errno));
			return 1;
		}
	}
	listen_fd = listen_loopback(&port);
	if (listen_fd < 0) {
		fprintf(stderr, "mockhttp: listen on 127.0.0.1: %s\n",
		    strerror(errno));
		return 1;
	}
	if (write_port_file(opt.port_file, port) != 0) {
		fprintf(stderr, "mockhttp: %s: %s\n", opt.port_file,
		    strerror(errno));
		return 1;
	}

	deadline = monotonic_ms() + opt.max_seconds * 1000;
	while (!stop_requested) {
		long left = deadline - monotonic_ms();
		int fd;

		if (left <= 0) {
			fprintf(stderr, "mockhttp: --max-seconds %ld reached; "
			    "stopping\n", opt.max_seconds);
			break;
		}
		if (!wait_ready(listen_fd, POLLIN, left > 1000 ? 1000 : (int)left))
			continue;
		fd = accept(listen_fd, NULL, NULL);
		if (fd < 0)
			continue;
		serve_connection(fd, &opt);
		close(fd);
	}

	close(listen_fd);
	if (request_log != NULL)
		fclose(request_log);
	return 0;
}
