// SPDX-License-Identifier: GPL-2.0
/*
 * Raw prctl/capset rather than libcap: four calls do not justify a build
 * and package dependency.
 */
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "privdrop.h"

#define KEPT_CAP CAP_NET_ADMIN

static int fail(char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "%s: %s", what, strerror(errno));
	return -1;
}

int priv_drop(const char *user, char *err, size_t errlen)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { 0 };
	struct passwd *pw;
	unsigned cap;

	errno = 0;
	pw = getpwnam(user);
	if (!pw) {
		snprintf(err, errlen, "unknown user '%s'", user);
		return -1;
	}
	if (geteuid() != 0) {
		snprintf(err, errlen, "--user %s needs to be started as root", user);
		return -1;
	}
	if (initgroups(pw->pw_name, pw->pw_gid))
		return fail(err, errlen, "initgroups");
	if (setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid))
		return fail(err, errlen, "setresgid");
	/* The bounding set can only shrink with CAP_SETPCAP, i.e. before the
	 * uid changes; the kernel's last capability answers EINVAL after it. */
	for (cap = 0; cap < 64; cap++) {
		if (cap == KEPT_CAP)
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)) {
			if (errno == EINVAL)
				break;
			return fail(err, errlen, "dropping the bounding set");
		}
	}
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0))
		return fail(err, errlen, "PR_SET_KEEPCAPS");
	if (setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid))
		return fail(err, errlen, "setresuid");
	data[CAP_TO_INDEX(KEPT_CAP)].permitted = CAP_TO_MASK(KEPT_CAP);
	data[CAP_TO_INDEX(KEPT_CAP)].effective = CAP_TO_MASK(KEPT_CAP);
	if (syscall(SYS_capset, &hdr, data))
		return fail(err, errlen, "capset");
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) ||
	    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return fail(err, errlen, "prctl");
	return 0;
}
