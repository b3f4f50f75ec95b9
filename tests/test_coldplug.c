/* SPDX-License-Identifier: MIT */
/* Unit tests for coldplug.c: payloads against captured uevents, and the walk over a fixture tree.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/capability.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cmocka.h>

#include "coldplug.h"
#include "paths.h"
#include "unit.h"

#define NCASES(a)      (sizeof(a) / sizeof((a)[0]))
#define SEQNUM_ASSUMED 5

/*
 * The uevent file of cpu0 on the capture machine (794 bytes): the long event
 * of a CPU, 2304 B of charge. The MODALIAS value itself ends in '\n', so the
 * file ends in an empty line that is not an empty key.
 */
#define CPU0_UEVENT                                                                                \
	"MODALIAS=cpu:type:x86,ven0002fam0019mod0011:feature:,0000,0001,0002,0003,0004,0005,"      \
	"0006,0007,0008,0009,000B,000C,000D,000E,000F,0010,0011,0013,0017,0018,0019,001A,001C,"    \
	"0020,0021,0022,0023,0024,0025,0026,0027,0028,0029,002B,002C,002D,002E,002F,0030,0031,"    \
	"0034,0036,0037,0038,0039,003A,003B,003D,0064,0068,006E,0070,0074,0075,0076,0078,0079,"    \
	"007A,007F,0080,0081,0089,008C,008D,0091,0093,0094,0095,0096,0097,0098,0099,009A,009B,"    \
	"009C,009D,009E,009F,00C0,00C1,00C4,00C5,00C6,00C7,00C8,00C9,00D6,00EA,00ED,00F3,00FC,"    \
	"010F,0114,0115,0120,0121,0123,0125,0127,0128,0129,012A,0130,0131,0132,0133,0134,0135,"    \
	"0137,0138,013C,013D,013E,013F,0140,0141,0142,0143,0165,016C,016E,016F,0179,017E,0185,"    \
	"018B,01A0,01A2,01B1,01BC,01BE,01C2,0201,0202,0206,0207,0208,0209,020A,020B,020C,020E,"    \
	"0216,0244,0282,0289,02AB,02AC\n\n"

/*
 * Captured on Linux 6.18 x86_64 (QEMU guest): a NETLINK_KOBJECT_UEVENT socket
 * bound to group 1, `echo add > /sys<devpath>/uevent`, recv() length of the
 * event. Every one carried SYNTH_UUID=0 and a 4-digit SEQNUM (1861..1868), e.g.
 * add@/devices/virtual/net/lo ACTION=add DEVPATH=/devices/virtual/net/lo
 * SUBSYSTEM=net SYNTH_UUID=0 INTERFACE=lo IFINDEX=1 SEQNUM=1861 (133 bytes).
 */
struct captured {
	const char *devpath, *subsystem, *file;
	size_t len;	     /* received */
	unsigned seq_digits; /* digits of the SEQNUM it carried */
};

static const struct captured captured[] = {
	{ "/devices/virtual/net/lo", "net", "INTERFACE=lo\nIFINDEX=1\n", 133, 4 },
	{ "/devices/virtual/mem/null", "mem", "MAJOR=1\nMINOR=3\nDEVNAME=null\nDEVMODE=0666\n", 156,
	  4 },
	{ "/devices/virtual/tty/tty0", "tty", "MAJOR=4\nMINOR=0\nDEVNAME=tty0\n", 143, 4 },
	{ "/devices/system/cpu/cpu0", "cpu", CPU0_UEVENT, 906, 4 },
	{ "/devices/system/memory/memory0", "memory", "", 127, 4 },
	{ "/devices/pci0000:00/0000:00:01.0", "pci",
	  "DRIVER=virtio-pci\nPCI_CLASS=FFFF00\nPCI_ID=1AF4:1045\nPCI_SUBSYS_ID=1AF4:1045\n"
	  "PCI_SLOT_NAME=0000:00:01.0\n"
	  "MODALIAS=pci:v00001AF4d00001045sv00001AF4sd00001045bcFFscFFi00\n",
	  294, 4 },
	{ "/devices/pci0000:00/0000:00:02.0/virtio1/block/vda", "block",
	  "MAJOR=254\nMINOR=0\nDEVNAME=vda\nDEVTYPE=disk\nDISKSEQ=9\n", 219, 4 },
	{ "/devices/virtual/block/loop0", "block",
	  "MAJOR=7\nMINOR=0\nDEVNAME=loop0\nDEVTYPE=disk\nDISKSEQ=1\n", 175, 4 },
};

static void test_coldplug_payload_matches_captured_events(void **state)
{
	size_t i;

	(void)state;
	assert_int_equal(strlen(CPU0_UEVENT), 794);
	for (i = 0; i < NCASES(captured); i++) {
		const struct captured *c = &captured[i];
		/* normalise the SEQNUM to the 5 digits coldplug_payload assumes */
		size_t want = c->len - c->seq_digits + SEQNUM_ASSUMED;
		size_t got = coldplug_payload(c->devpath, c->subsystem, c->file, strlen(c->file));

		if (got != want)
			fail_msg("%s: payload %zu, want %zu (captured %zu with %u SEQNUM digits)",
				 c->devpath, got, want, c->len, c->seq_digits);
	}
}

static void test_coldplug_payload_charges_like_the_kernel(void **state)
{
	struct charge_model m;
	const struct captured *lo = &captured[0], *cpu = &captured[3];

	(void)state;
	charge_model_default(&m);
	assert_int_equal(
	    charge_of(&m, coldplug_payload(lo->devpath, lo->subsystem, lo->file, strlen(lo->file))),
	    832);
	assert_int_equal(charge_of(&m, coldplug_payload(cpu->devpath, cpu->subsystem, cpu->file,
							strlen(cpu->file))),
			 2304);
}

static void test_coldplug_payload_counts_keys_by_hand(void **state)
{
	/*
	 * add@/devices/a\0 15, ACTION=add\0 11, DEVPATH=/devices/a\0 19,
	 * SUBSYSTEM=mem\0 14, SYNTH_UUID=0\0 13, SEQNUM=12345\0 13 = 85
	 */
	static const char nul_inside[] = "K=v\nHIDDEN=1\0MORE=2\n";

	(void)state;
	assert_int_equal(coldplug_payload("/devices/a", "mem", "", 0), 85);
	assert_int_equal(coldplug_payload("/devices/a", "mem", NULL, 0), 85);
	assert_int_equal(coldplug_payload("/devices/a", NULL, "", 0), 85 - 14);
	assert_int_equal(coldplug_payload("/devices/a", "", "", 0), 85 - 14);
	assert_int_equal(coldplug_payload(NULL, NULL, NULL, 0), 85 - 14 - 2 * 10);
	/* each key + NUL; a missing last newline still ends a key */
	assert_int_equal(coldplug_payload("/devices/a", "mem", "MAJOR=1\n", 8), 85 + 8);
	assert_int_equal(coldplug_payload("/devices/a", "mem", "MAJOR=1", 7), 85 + 8);
	assert_int_equal(coldplug_payload("/devices/a", "mem", "MAJOR=1\nX=2\n", 12), 85 + 12);
	/* a value ending in '\n' (cpu MODALIAS) shows as an empty line: it is one more byte */
	assert_int_equal(coldplug_payload("/devices/a", "mem", "MODALIAS=cpu:x\n\n", 16), 85 + 16);
	/* file_len bounds the read, a NUL ends it */
	assert_int_equal(coldplug_payload("/devices/a", "mem", "MAJOR=1\nMINOR=3\n", 8), 85 + 8);
	assert_int_equal(coldplug_payload("/devices/a", "mem", nul_inside, sizeof(nul_inside) - 1),
			 85 + 13);
}

/* ---- the walk, on a tree made under a temporary directory ---- */

static char tmp[64];
static struct __user_cap_data_struct saved_caps[_LINUX_CAPABILITY_U32S_3];
static bool caps_dropped;

/*
 * Root reads a 0000 file anyway: take CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH
 * out of the effective set (they stay permitted) so "unreadable" means it.
 */
static void drop_dac_caps(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &h, d) < 0)
		return;
	memcpy(saved_caps, d, sizeof(d));
	d[0].effective &= ~((1u << CAP_DAC_OVERRIDE) | (1u << CAP_DAC_READ_SEARCH));
	if (syscall(SYS_capset, &h, d) == 0)
		caps_dropped = true;
}

static void restore_caps(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };

	if (caps_dropped && syscall(SYS_capset, &h, saved_caps) == 0)
		caps_dropped = false;
}

static void mk_dir(const char *rel)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", tmp, rel);
	if (mkdir(p, 0755) < 0)
		fail_msg("mkdir %s: %s", p, strerror(errno));
}

static void mk_file(const char *rel, const char *text)
{
	char p[PATH_MAX];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", tmp, rel);
	f = fopen(p, "w");
	if (f == NULL)
		fail_msg("create %s: %s", p, strerror(errno));
	fputs(text, f);
	fclose(f);
}

static void mk_link(const char *target, const char *rel)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", tmp, rel);
	if (symlink(target, p) < 0)
		fail_msg("symlink %s: %s", p, strerror(errno));
}

static void set_mode(const char *rel, mode_t mode)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", tmp, rel);
	if (chmod(p, mode) < 0)
		fail_msg("chmod %s: %s", p, strerror(errno));
}

static bool readable(const char *rel)
{
	char p[PATH_MAX];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", tmp, rel);
	fd = open(p, O_RDONLY | O_NONBLOCK);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

#define DEEP_LEVELS COLDPLUG_MAX_DEPTH /* devices/deep is depth 1 */

/* "deep/d/d/..." naming the directory at depth `depth` below devices/ */
static void deep_path(char *buf, size_t len, int depth)
{
	size_t off = (size_t)snprintf(buf, len, "devices/deep");
	int i;

	for (i = 1; i < depth && off + 2 < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "/d");
}

static const char A_UEVENT[] = "MAJOR=1\nMINOR=3\nDEVNAME=null\nDEVMODE=0666\n";
static const char B_UEVENT[] = "DRIVER=x\n\nMODALIAS=pci:v1\n";

/*
 * devices/a            uevent, subsystem -> class/mem, a plain file "notes"
 * devices/a/b          uevent with a blank line, subsystem -> bus/pci, "up" -> .. (a loop)
 * devices/a/unread     uevent mode 0000 with a subsystem: counted, not readable
 * devices/nosub        uevent without subsystem: the kernel sends nothing
 * devices/fifo         "uevent" is a fifo: not a regular file
 * devices/c            "uevent" is a directory
 * devices/locked       mode 0000, holding x/uevent: cannot be walked
 * devices/deep/d/...   uevent at depth COLDPLUG_MAX_DEPTH (counted) and one deeper (not)
 * module/m1            a loaded module: uevent mode 0200, as sysfs has it (counted, not read)
 * module/builtin       no uevent (a built-in's parameters only); module/notes a plain file
 * bus/pci              uevent; drivers/e1000 with uevent, drivers/gone without
 */
static int fixture_setup(void **state)
{
	char p[PATH_MAX], q[PATH_MAX + 16];
	int i;

	(void)state;
	snprintf(tmp, sizeof(tmp), "/tmp/nltune-coldplug-XXXXXX");
	if (mkdtemp(tmp) == NULL)
		return -1;
	mk_dir("devices");
	mk_dir("devices/a");
	mk_file("devices/a/uevent", A_UEVENT);
	mk_link("../../class/mem", "devices/a/subsystem");
	mk_file("devices/a/notes", "MAJOR=9\n");
	mk_dir("devices/a/b");
	mk_file("devices/a/b/uevent", B_UEVENT);
	mk_link("../../../bus/pci", "devices/a/b/subsystem");
	mk_link("..", "devices/a/b/up");
	mk_dir("devices/a/unread");
	mk_file("devices/a/unread/uevent", "MAJOR=2\n");
	mk_link("../../../class/mem", "devices/a/unread/subsystem");
	set_mode("devices/a/unread/uevent", 0);
	mk_dir("devices/nosub");
	mk_file("devices/nosub/uevent", "MAJOR=3\n");
	mk_dir("devices/fifo");
	snprintf(p, sizeof(p), "%s/devices/fifo/uevent", tmp);
	if (mkfifo(p, 0644) < 0)
		return -1;
	mk_link("../../bus/pci", "devices/fifo/subsystem");
	mk_dir("devices/c");
	mk_dir("devices/c/uevent");
	mk_link("../../bus/pci", "devices/c/subsystem");
	mk_dir("devices/locked");
	mk_dir("devices/locked/x");
	mk_file("devices/locked/x/uevent", "MAJOR=4\n");
	mk_link("../../../bus/pci", "devices/locked/x/subsystem");
	set_mode("devices/locked", 0);
	for (i = 1; i <= DEEP_LEVELS + 1; i++) {
		deep_path(p, sizeof(p), i);
		mk_dir(p);
	}
	for (i = DEEP_LEVELS; i <= DEEP_LEVELS + 1; i++) {
		deep_path(p, sizeof(p), i);
		snprintf(q, sizeof(q), "%s/uevent", p);
		mk_file(q, "DEEP=1\n");
		snprintf(q, sizeof(q), "%s/subsystem", p);
		mk_link("/sys/bus/deep", q);
	}
	mk_dir("module");
	mk_dir("module/m1");
	mk_file("module/m1/uevent", "");
	set_mode("module/m1/uevent", 0200);
	mk_dir("module/builtin");
	mk_dir("module/builtin/parameters");
	mk_file("module/notes", "x\n");
	mk_dir("bus");
	mk_dir("bus/pci");
	mk_file("bus/pci/uevent", "");
	mk_dir("bus/pci/drivers");
	mk_dir("bus/pci/drivers/e1000");
	mk_file("bus/pci/drivers/e1000/uevent", "");
	mk_dir("bus/pci/drivers/gone");
	paths_set_sys(tmp);
	drop_dac_caps();
	return 0;
}

static int fixture_teardown(void **state)
{
	(void)state;
	restore_caps();
	paths_set_sys("/sys");
	return unit_rm_tree(tmp); /* devices/locked opened up too */
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

static uint64_t charge_for(const struct charge_model *m, const char *devpath, const char *subsys,
			   const char *file)
{
	return charge_of(m, coldplug_payload(devpath, subsys, file, strlen(file)));
}

static void skip_unless_unreadable(void)
{
	if (readable("devices/a/unread/uevent") || readable("devices/locked")) {
		print_message("cannot make files unreadable here (capabilities?)\n");
		skip();
	}
}

static void test_coldplug_count_counts_uevent_files_with_subsystem(void **state)
{
	(void)state;
	skip_unless_unreadable();
	/* a, a/b, a/unread (not read, so counted) and the one at the depth limit; m1, pci, e1000 */
	assert_int_equal(coldplug_count(), 7);
}

static void test_coldplug_scan_reads_and_charges_fixture(void **state)
{
	struct charge_model m;
	uint64_t bytes = 0, skipped = 0, want = 0;
	char deep[PATH_MAX], devpath[PATH_MAX + 1];

	(void)state;
	skip_unless_unreadable();
	charge_model_default(&m);
	deep_path(deep, sizeof(deep), DEEP_LEVELS);
	snprintf(devpath, sizeof(devpath), "/%s", deep);
	want += charge_for(&m, "/devices/a", "mem", A_UEVENT);
	want += charge_for(&m, "/devices/a/b", "pci", B_UEVENT);
	want += charge_for(&m, devpath, "deep", "DEEP=1\n");
	want += charge_for(&m, "/module/m1", "module", "");
	want += charge_for(&m, "/bus/pci", "bus", "");
	want += charge_for(&m, "/bus/pci/drivers/e1000", "drivers", "");
	assert_int_equal(coldplug_payload("/devices/a", "mem", A_UEVENT, strlen(A_UEVENT)), 127);
	/* add@/module/m1 ACTION=add DEVPATH=/module/m1 SUBSYSTEM=module SYNTH_UUID=0 SEQNUM=5 */
	assert_int_equal(coldplug_payload("/module/m1", "module", "", 0),
			 15 + 11 + 19 + 17 + 13 + 13);

	assert_int_equal(coldplug_scan_skipped(&m, &bytes, &skipped), 6);
	assert_int_equal(bytes, want);
	/* the deep devpath alone is 139 bytes, twice; the kobjects' events are the smallest */
	assert_int_equal(bytes, 832 + 832 + 1280 + 3 * 832);
	assert_int_equal(skipped, 2); /* a/unread/uevent and the locked directory */

	bytes = 0;
	assert_int_equal(coldplug_scan(&m, &bytes), 6);
	assert_int_equal(bytes, want);
}

static void test_coldplug_walk_closes_every_fd(void **state)
{
	struct charge_model m;
	uint64_t bytes;
	int before = count_fds(), i;

	(void)state;
	charge_model_default(&m);
	assert_true(before > 0);
	for (i = 0; i < 3; i++) {
		assert_true(coldplug_scan(&m, &bytes) >= 0);
		assert_true(coldplug_count() >= 0);
	}
	assert_int_equal(count_fds(), before);
}

static void test_coldplug_missing_sys_is_an_error(void **state)
{
	struct charge_model m;
	uint64_t bytes = 12345;
	char p[PATH_MAX];

	(void)state;
	charge_model_default(&m);
	snprintf(p, sizeof(p), "%s/nonexistent", tmp);
	paths_set_sys(p);
	assert_int_equal(coldplug_count(), -ENOENT);
	assert_int_equal(coldplug_scan(&m, &bytes), -ENOENT);
	assert_int_equal(bytes, 12345); /* untouched on error */
	paths_set_sys(tmp);
}

int main(void)
{
	const struct CMUnitTest pure[] = {
		cmocka_unit_test(test_coldplug_payload_matches_captured_events),
		cmocka_unit_test(test_coldplug_payload_charges_like_the_kernel),
		cmocka_unit_test(test_coldplug_payload_counts_keys_by_hand),
	};
	const struct CMUnitTest walk[] = {
		cmocka_unit_test(test_coldplug_count_counts_uevent_files_with_subsystem),
		cmocka_unit_test(test_coldplug_scan_reads_and_charges_fixture),
		cmocka_unit_test(test_coldplug_walk_closes_every_fd),
		cmocka_unit_test(test_coldplug_missing_sys_is_an_error),
	};
	int r;

	r = cmocka_run_group_tests_name("coldplug_payload", pure, NULL, NULL);
	r += cmocka_run_group_tests_name("coldplug_walk", walk, fixture_setup, fixture_teardown);
	return r;
}
