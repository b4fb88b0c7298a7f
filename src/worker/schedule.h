/*
 * Periodic jobs. Every worker calls schedule_tick() between jobs; for each
 * entry of the schedule whose period has come, exactly one worker (the
 * one whose claim in Redis succeeds) pushes {"type": <job type>} onto
 * p:jobs, where any worker takes it like any other job. The tick also
 * moves delayed jobs that are due (queue_push_delayed) to p:jobs.
 */
#ifndef VIGIE_WORKER_SCHEDULE_H
#define VIGIE_WORKER_SCHEDULE_H

struct schedule_entry {
	const char *job_type;
	/* The period in seconds, from the settings; 0 or less: never. */
	long (*period_s)(void);
};

void schedule_tick(void);

#endif
