/*
 * Long answers are not cut short (a Kore worker's timer).
 *
 * Kore 4.1 starts the header timer of a kept-alive connection (10 s,
 * http_header_timeout) when an answer starts, for the next request, and
 * answers 408 and closes the connection when it runs out, even if the
 * answer is still being sent; its idle timer (http_keepalive_time) counts
 * only the event loop's events, and a slow client reading from a full
 * send buffer may not cause one for longer than that. A CSV export of
 * several megabytes to a slow client was cut short either way.
 *
 * Once a second, for every connection with data still to send (in
 * Kore's queue or in the kernel's), the amount the kernel holds unsent
 * (SIOCOUTQ) is compared with the last look: when it moved, the client
 * is taking data, and both timers start again. A client that stops
 * reading is still dropped by the idle timer, as before, and an idle
 * kept-alive connection is closed as before.
 */
#ifndef VIGIE_API_DRAIN_H
#define VIGIE_API_DRAIN_H

/* Starts the timer (worker start-up). */
void drain_start(void);

#endif
