/*
 * The Kore application: start-up in the parent (settings, listener,
 * shared metrics), per-worker set-up (service adapters), and the seccomp
 * rules our libraries need on top of Kore's own.
 */
#include <sys/mman.h>
#include <sys/socket.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <kore/kore.h>
#include <kore/http.h>
#include <kore/seccomp.h>
#include <kore/tasks.h>

#include "api/redis_loop.h"
#include "api/call.h"
#include "api/drain.h"
#include "api/expect.h"
#include "api/pages.h"
#include "common/env.h"
#include "common/log.h"
#include "store/es.h"
#include "store/kv.h"
#include "store/metadb.h"
#include "service/alerting.h"
#include "service/account.h"
#include "service/billing.h"
#include "service/branding.h"
#include "service/files.h"
#include "service/quotas.h"
#include "service/members.h"
#include "service/notify.h"

/*
 * What libcurl, hiredis and mongo-c-driver do beyond Kore's defaults:
 * open TCP (and UNIX, for name resolution helpers) sockets, tune and
 * inspect them, and start threads (task threads and mongoc's monitor).
 * glibc creates threads with clone3 and registers them with rseq.
 */
KORE_SECCOMP_FILTER("vigie", KORE_SYSCALL_ALLOW_ARG(socket, 0, AF_INET),
    KORE_SYSCALL_ALLOW_ARG(socket, 0, AF_INET6),
    KORE_SYSCALL_ALLOW_ARG(socket, 0, AF_UNIX), KORE_SYSCALL_ALLOW(connect),
    KORE_SYSCALL_ALLOW(bind), KORE_SYSCALL_ALLOW(getsockopt),
    KORE_SYSCALL_ALLOW(setsockopt), KORE_SYSCALL_ALLOW(getsockname),
    KORE_SYSCALL_ALLOW(getpeername), KORE_SYSCALL_ALLOW(ioctl),
    KORE_SYSCALL_ALLOW(poll), KORE_SYSCALL_ALLOW(ppoll),
    KORE_SYSCALL_ALLOW(recvmsg), KORE_SYSCALL_ALLOW(sendmsg),
    KORE_SYSCALL_ALLOW(sendmmsg), KORE_SYSCALL_ALLOW(recvfrom),
    KORE_SYSCALL_ALLOW(sendto), KORE_SYSCALL_ALLOW(madvise),
    KORE_SYSCALL_ALLOW(clone3), KORE_SYSCALL_ALLOW(rseq),
    KORE_SYSCALL_ALLOW(getrandom), KORE_SYSCALL_ALLOW(uname),
    KORE_SYSCALL_ALLOW(sysinfo), KORE_SYSCALL_ALLOW(sched_getaffinity),
    KORE_SYSCALL_ALLOW(sched_yield), KORE_SYSCALL_ALLOW(clock_nanosleep),
    KORE_SYSCALL_ALLOW(nanosleep), KORE_SYSCALL_ALLOW(gettid),
    KORE_SYSCALL_ALLOW(newfstatat),
    /* Uploads: the spooled body is handed to a task by descriptor and
     * copied under the data folder. */
    KORE_SYSCALL_ALLOW(dup), KORE_SYSCALL_ALLOW(pread64),
    KORE_SYSCALL_ALLOW(mkdir), KORE_SYSCALL_ALLOW(mkdirat),
    KORE_SYSCALL_ALLOW(rename), KORE_SYSCALL_ALLOW(renameat),
    KORE_SYSCALL_ALLOW(renameat2), KORE_SYSCALL_ALLOW(fsync),
    KORE_SYSCALL_ALLOW(fdatasync), KORE_SYSCALL_ALLOW(unlink),
    KORE_SYSCALL_ALLOW(unlinkat), KORE_SYSCALL_ALLOW(lseek),
    KORE_SYSCALL_ALLOW(shutdown),
    /* ... or linked there, when on the same file system. */
    KORE_SYSCALL_ALLOW(link), KORE_SYSCALL_ALLOW(linkat),
    KORE_SYSCALL_ALLOW(fstat), );

int  vigie_init(int);
void kore_parent_configure(int, char **);
void kore_worker_configure(void);

static struct settings app_settings;

/* Updates this process's resident memory in the shared metrics table. */
static void
app_rss_timer(void *arg, u_int64_t now)
{
	char  line[128], *start, *end;
	long  rss;
	FILE *fp;
	int   slot;

	(void)arg;
	(void)now;
	if ((fp = fopen("/proc/self/statm", "r")) == NULL)
		return;
	rss = -1;
	if (fgets(line, sizeof(line), fp) != NULL) {
		/* "size resident shared ...", in pages: skip the size. */
		(void)strtol(line, &start, 10);
		rss = strtol(start, &end, 10);
		if (start == line || end == start)
			rss = -1;
	}
	fclose(fp);
	if (rss < 0)
		return;
	slot = worker != NULL ? worker->id + 1 : 0;
	if (slot < METRICS_PROCS_MAX)
		__atomic_store_n(&api_metrics->rss_bytes[slot],
		    (uint64_t)rss * (uint64_t)sysconf(_SC_PAGESIZE),
		    __ATOMIC_RELAXED);
}

/* Called by Kore when it loads the module (load ./build/vigie.so). */
int
vigie_init(int state)
{
	(void)state;
	return (KORE_RESULT_OK);
}

/*
 * Parent, after kore.conf was read and before the workers fork: read and
 * check the settings (refusing to start without a proper JWT secret),
 * bind the listener from VIGIE_HOST/VIGIE_PORT, size the worker pool and
 * map the metrics table every worker shares.
 */
void
kore_parent_configure(int argc, char **argv)
{
	struct kore_server *srv;
	char                err[256], port[8];

	(void)argc;
	(void)argv;
	/* jansson seeds its hash from /dev/urandom on first use: do it
	 * here, once, before the workers fork and the sandbox starts. */
	json_object_seed(0);
	if (!env_settings_load(&app_settings, err, sizeof(err))) {
		fprintf(stderr, "vigie: configuration error: %s\n", err);
		exit(1);
	}
	api_settings = &app_settings;
	log_init(app_settings.log_level, app_settings.env);
	env_warn_unknown();

	if ((srv = kore_server_lookup("vigie")) == NULL)
		fatal("kore.conf has no 'server vigie' block");
	snprintf(port, sizeof(port), "%ld", app_settings.port);
	if (!kore_server_bind(srv, app_settings.host, port, NULL)) {
		fprintf(stderr, "vigie: cannot listen on %s:%s\n",
		    app_settings.host, port);
		exit(1);
	}
	worker_count = (u_int8_t)app_settings.workers;
	/* Kore refuses larger bodies with 413 before reading them. */
	http_body_max = (size_t)app_settings.upload_max_bytes;
	kore_task_threads = (u_int16_t)app_settings.task_threads;

	api_metrics = mmap(NULL, sizeof(*api_metrics), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (api_metrics == MAP_FAILED)
		fatal("cannot map the metrics table: %s", errno_s);
	memset(api_metrics, 0, sizeof(*api_metrics));
	api_metrics->started_unix = (uint64_t)time(NULL);

	log_emit(LOG_LEVEL_INFO, "server", NULL,
	    json_pack("{s:s, s:i, s:i, s:i}", "host", app_settings.host, "port",
		(int)app_settings.port, "workers", (int)app_settings.workers,
		"task_threads", (int)app_settings.task_threads),
	    "Vigie listening on http://%s:%ld", app_settings.host,
	    app_settings.port);
}

/* Each worker, after fork: its own service clients and timers. */
void
kore_worker_configure(void)
{
	char err[256];

	if (routes_unnamed() != -1)
		fatal("route %d has no metrics label", routes_unnamed());
	es_configure(&app_settings);
	account_configure(&app_settings);
	files_configure(&app_settings);
	quotas_configure(&app_settings);
	billing_configure(&app_settings);
	branding_configure(&app_settings);
	alerting_configure(&app_settings);
	if (!kv_configure(&app_settings, err, sizeof(err)) ||
	    !metadb_open(&app_settings, err, sizeof(err)))
		fatal("%s", err);
	redis_loop_init();
	if (members_plans() == NULL)
		fatal("tenants/plans.json cannot be used (see the log above)");
	if (!notify_configure(&app_settings, err, sizeof(err)))
		fatal("%s", err);
	pages_load();
	app_rss_timer(NULL, 0);
	kore_timer_add(app_rss_timer, 2000, NULL, 0);
	expect_start();
	drain_start();
}
