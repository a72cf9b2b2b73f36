/* Threads that leave signals to the loop. */
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "common/thread.h"

int
thread_start(pthread_t *th, void *(*fn)(void *), void *arg)
{
	sigset_t all, old;
	int r;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = pthread_create(th, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return r;
}

void
thread_wait_ms(pthread_cond_t *cv, pthread_mutex_t *mu, long ms, const int *stop)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	while (!*stop && pthread_cond_timedwait(cv, mu, &until) == 0)
		;
}

/*
 * Nice 10 was not enough: the scheduler (EEVDF) lets a running thread end
 * its slice before a woken one of higher weight, so a client woken on the
 * CPU of the niced parse thread waited up to ~3 ms for it.
 */
void
thread_background(void)
{
	struct sched_param sp = { 0 };

	if (sched_setscheduler(0, SCHED_IDLE, &sp) == -1)
		setpriority(PRIO_PROCESS, (id_t)gettid(), 19);
}
