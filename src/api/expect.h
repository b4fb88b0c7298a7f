/*
 * Answers "Expect: 100-continue" (Kore 4.1 does not): see expect.c.
 */
#ifndef VIGIE_API_EXPECT_H
#define VIGIE_API_EXPECT_H

/* In each Kore worker, once: starts the timer that answers. */
void expect_start(void);

#endif
