/* Threads that leave signals to the loop. */
#ifndef COMMON_THREAD_H
#define COMMON_THREAD_H

#include <pthread.h>

/*
 * pthread_create with every signal blocked in the new thread: the daemon
 * takes its signals through the loop's signalfd, and a thread that left
 * one unblocked would take SIGTERM's default action for the whole process.
 * Returns 0 or an errno value, as pthread_create.
 */
int thread_start(pthread_t *, void *(*fn)(void *), void *arg);
/*
 * With mu held: waits on cv until ms milliseconds have passed or *stop is
 * set (signals before then are waited through), so a worker gathers what
 * arrives meanwhile into one batch. Blocks.
 */
void thread_wait_ms(pthread_cond_t *cv, pthread_mutex_t *mu, long ms, const int *stop);
/*
 * Makes the calling thread background work (SCHED_IDLE; nice 19 where
 * that is refused): a thread that wakes on its CPU (the loop, a client
 * waiting for a verdict) runs at once instead of after its time slice.
 * It runs only on CPU time nothing else wants.
 */
void thread_background(void);

#endif
