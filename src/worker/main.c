/*
 * vigie-worker: takes jobs from the Redis queue and runs them, reports a
 * heartbeat, and gives the jobs of dead workers back to the queue.
 *
 *   vigie-worker             run until SIGTERM or SIGINT
 *   vigie-worker --settings  print every setting with its default and help
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/env.h"
#include "common/log.h"
#include "core/mem.h"
#include "store/es.h"
#include "store/es_setup.h"
#include "store/kv.h"
#include "store/metadb.h"
#include "store/queue.h"
#include "service/account.h"
#include "service/billing.h"
#include "service/branding.h"
#include "service/alerting.h"
#include "service/files.h"
#include "service/quotas.h"
#include "service/members.h"
#include "service/notify.h"
#include "store/smtp.h"
#include "worker/jobs.h"
#include "worker/schedule.h"

static volatile sig_atomic_t worker_stop;
static struct settings       worker_settings;
static char                  worker_id[QUEUE_WORKER_ID_MAX];
static time_t                worker_started;
static time_t                worker_last_beat;
static long                  worker_done;
const char                  *jobs_worker_id = worker_id;
const struct settings       *jobs_settings = &worker_settings;

static void
worker_on_signal(int sig)
{
	(void)sig;
	worker_stop = 1;
}

static void
worker_print_settings(void)
{
	struct settings_doc doc;
	size_t              i;

	for (i = 0; settings_describe(i, &doc); i++)
		printf("# %s\n%s=%s\n\n", doc.help, doc.name,
		    doc.default_value != NULL ? doc.default_value : "");
}

static void
worker_heartbeat(time_t started, long done)
{
	char info[256], err[256];
	int  ttl;

	snprintf(info, sizeof(info),
	    "{\"pid\":%d,\"started\":%ld,"
	    "\"jobs_done\":%ld}",
	    (int)getpid(), (long)started, done);
	ttl = (int)worker_settings.worker_heartbeat_s * 3;
	if (!queue_heartbeat(worker_id, info, ttl, err, sizeof(err)))
		log_emit(LOG_LEVEL_WARNING, "worker", NULL,
		    json_pack("{s:s}", "error", err), "heartbeat failed");
}

static void
worker_handle(const char *job)
{
	enum job_result res;
	char            reason[512], err[256];

	res = jobs_dispatch(job, reason, sizeof(reason));
	switch (res) {
	case JOB_DONE:
		(void)queue_ack(worker_id, job, err, sizeof(err));
		break;
	case JOB_DEAD:
		log_emit(LOG_LEVEL_ERROR, "worker", NULL,
		    json_pack("{s:s}", "reason", reason), "job rejected");
		(void)queue_dead(worker_id, job, reason, err, sizeof(err));
		break;
	case JOB_RETRY:
		log_emit(LOG_LEVEL_WARNING, "worker", NULL,
		    json_pack("{s:s}", "reason", reason), "job will retry");
		(void)queue_release(worker_id, err, sizeof(err));
		sleep(1);
		break;
	}
}

/*
 * Beats when one is due: called between jobs and, through jobs_tick(),
 * from inside long jobs, so that a worker busy with a large file is not
 * taken for dead and its job is not given to another worker.
 */
void
jobs_tick(void)
{
	static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	char                   err[256];

	/* Also called from an ingest job's sender thread: one beat at once. */
	pthread_mutex_lock(&mu);
	if (time(NULL) - worker_last_beat >=
	    worker_settings.worker_heartbeat_s) {
		worker_heartbeat(worker_started, worker_done);
		(void)queue_reap(err, sizeof(err));
		worker_last_beat = time(NULL);
	}
	pthread_mutex_unlock(&mu);
}

static void
worker_loop(void)
{
	char  err[256];
	char *job;

	worker_started = time(NULL);
	worker_last_beat = 0;
	worker_done = 0;
	while (!worker_stop) {
		jobs_tick();
		schedule_tick();
		job = queue_take(worker_id, 1, err, sizeof(err));
		if (job == NULL) {
			if (err[0] != '\0') {
				log_emit(LOG_LEVEL_WARNING, "worker", NULL,
				    json_pack("{s:s}", "error", err),
				    "queue unavailable, retrying");
				sleep(1);
			}
			continue;
		}
		worker_handle(job);
		mem_free(job);
		worker_done++;
	}
}

/*
 * What the platform needs before serving: MongoDB indexes (unique slugs,
 * e-mails, key hashes), the platform administrator, and Elasticsearch's
 * log templates. Retried until MongoDB and Elasticsearch answer, or
 * until asked to stop.
 */
static void
worker_prepare(void)
{
	char err[256];
	int  tries;

	for (tries = 0; !worker_stop; tries++) {
		if (metadb_ensure_indexes(err, sizeof(err)) &&
		    account_admin_bootstrap(err, sizeof(err)) &&
		    es_setup_apply(err, sizeof(err)))
			return;
		if (tries % 10 == 0)
			log_emit(LOG_LEVEL_WARNING, "worker", NULL,
			    json_pack("{s:s}", "error", err),
			    "preparing MongoDB and Elasticsearch failed, "
			    "retrying");
		sleep(1);
	}
}

int
main(int argc, char **argv)
{
	struct sigaction sa;
	char             err[256], host[64];

	if (argc > 1 && strcmp(argv[1], "--settings") == 0) {
		worker_print_settings();
		return (0);
	}
	if (!env_settings_load(&worker_settings, err, sizeof(err))) {
		fprintf(stderr, "vigie-worker: configuration error: %s\n", err);
		return (1);
	}
	log_init(worker_settings.log_level, worker_settings.env);
	env_warn_unknown();
	es_configure(&worker_settings);
	if (!kv_configure(&worker_settings, err, sizeof(err)) ||
	    !metadb_open(&worker_settings, err, sizeof(err))) {
		fprintf(stderr, "vigie-worker: %s\n", err);
		return (1);
	}

	account_configure(&worker_settings);
	files_configure(&worker_settings);
	quotas_configure(&worker_settings);
	billing_configure(&worker_settings);
	branding_configure(&worker_settings);
	smtp_configure(&worker_settings);
	if (!notify_configure(&worker_settings, err, sizeof(err))) {
		fprintf(stderr, "vigie-worker: configuration error: %s\n", err);
		return (1);
	}
	alerting_configure(&worker_settings);
	alerting_set_beat(jobs_tick);
	if (members_plans() == NULL) {
		fprintf(stderr,
		    "vigie-worker: tenants/plans.json cannot be used\n");
		return (1);
	}
	worker_prepare();

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = worker_on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	snprintf(worker_id, sizeof(worker_id), "%s:%d", host, (int)getpid());
	log_emit(LOG_LEVEL_INFO, "worker", NULL,
	    json_pack("{s:s}", "worker_id", worker_id), "vigie-worker started");

	worker_loop();

	queue_leave(worker_id);
	metadb_close();
	log_emit(LOG_LEVEL_INFO, "worker", NULL,
	    json_pack("{s:s}", "worker_id", worker_id), "vigie-worker stopped");
	return (0);
}
