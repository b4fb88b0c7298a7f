#include <sys/ioctl.h>

#include <linux/sockios.h>

#include <kore/kore.h>

#include "api/drain.h"

#define DRAIN_TICK_MS 1000
#define DRAIN_WATCHED 256 /* connections followed at once */

/* What was seen of a connection at the last look. */
static struct drain_seen {
	const struct connection *c;
	int                      fd;
	int                      unsent; /* bytes in the kernel, unsent */
	uint64_t                 tick;
} drain_seen[DRAIN_WATCHED];

static uint64_t drain_tick;

static struct drain_seen *
drain_find(const struct connection *c)
{
	struct drain_seen *free_slot = NULL;
	int                i;

	for (i = 0; i < DRAIN_WATCHED; i++) {
		if (drain_seen[i].c == c && drain_seen[i].fd == c->fd)
			return (&drain_seen[i]);
		/* Not seen at the last look: gone, or done sending. */
		if (free_slot == NULL &&
		    (drain_seen[i].c == NULL ||
			drain_seen[i].tick + 1 < drain_tick))
			free_slot = &drain_seen[i];
	}
	if (free_slot != NULL) {
		free_slot->c = c;
		free_slot->fd = c->fd;
		free_slot->unsent = -1;
	}
	return (free_slot);
}

static void
drain_look(void *arg, uint64_t now)
{
	struct connection *c;
	struct drain_seen *s;
	int                unsent;

	(void)arg;
	drain_tick++;
	TAILQ_FOREACH(c, &connections, list)
	{
		if (c->proto != CONN_PROTO_HTTP ||
		    c->state != CONN_STATE_ESTABLISHED ||
		    ioctl(c->fd, SIOCOUTQ, &unsent) == -1)
			continue;
		/* Nothing left to send, by Kore or the kernel: the timers
		 * are those of an idle connection. */
		if (TAILQ_EMPTY(&c->send_queue) && unsent == 0)
			continue;
		if ((s = drain_find(c)) == NULL)
			continue;
		/* A new connection, or the client took data since. */
		if (s->unsent != unsent) {
			c->http_start = now;
			c->idle_timer.start = now;
		}
		s->unsent = unsent;
		s->tick = drain_tick;
	}
}

void
drain_start(void)
{
	kore_timer_add(drain_look, DRAIN_TICK_MS, NULL, 0);
}
