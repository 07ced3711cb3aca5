/* Running out of descriptors on purpose (test_metrics.c, test_listener.c). */
#ifndef BMPTAP_FD_TESTUTIL_H
#define BMPTAP_FD_TESTUTIL_H

#include <sys/resource.h>
#include <unistd.h>

/* The lowest free descriptor becomes the limit, so that the next accept()
 * gets EMFILE; returns the limit to restore with setrlimit(). */
static inline struct rlimit fd_limit_exhaust(void)
{
	struct rlimit old, low;
	int spare = dup(0);

	assert_true(spare >= 0);
	close(spare);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	low = old;
	low.rlim_cur = (rlim_t)spare;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	return old;
}

#endif
