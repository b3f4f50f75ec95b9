/* SPDX-License-Identifier: MIT */
/*
 * Tests of dbus/bus.c, dbus/client.c and the manager behind them, without the host's buses or
 * files: a private dbus-daemon on a socket in a scratch directory, loading the project's own
 * policy (dbus/org.nltune1.conf), and a forked nltuned (manager_init + bus_start +
 * manager_run) on a copy of tests/fixtures/system through --proc/--sys, so Apply writes the
 * copy's sysctl files. The client calls are client.c's and plain sd-bus ones. Root only: the
 * policy lets only root own org.nltune1.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <systemd/sd-bus.h>

#include "bus.h"
#include "client.h"
#include "log.h"
#include "manager.h"
#include "paths.h"
#include "unit.h"

#define NAME  "org.nltune1"
#define PATH  "/org/nltune1"
#define IFACE "org.nltune1.Manager"

static struct {
	struct unit_machine m;
	char sock[400], conf[400], busconf[400];
	pid_t busd, nltuned;
	const char *skip; /* why the tests cannot run here, or NULL */
} w;

static const char *const dbus_daemons[] = { "/usr/bin/dbus-daemon", "/bin/dbus-daemon" };

static void write_bus_conf(void)
{
	char policy[4096];
	FILE *f = fopen(w.busconf, "we");

	assert_non_null(f);
	snprintf(policy, sizeof(policy), "%s/dbus/org.nltune1.conf", NLTUNE_SRCDIR);
	/* A Debian system bus's default policy, then the project's own file. */
	fprintf(
	    f,
	    "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN\"\n"
	    " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
	    "<busconfig>\n<type>system</type>\n<listen>unix:path=%s</listen>\n"
	    "<auth>EXTERNAL</auth>\n<policy context=\"default\">\n"
	    "<allow user=\"*\"/><deny own=\"*\"/><deny send_type=\"method_call\"/>\n"
	    "<allow send_type=\"signal\"/>\n"
	    "<allow send_requested_reply=\"true\" send_type=\"method_return\"/>\n"
	    "<allow send_requested_reply=\"true\" send_type=\"error\"/>\n"
	    "<allow receive_type=\"method_call\"/><allow receive_type=\"method_return\"/>\n"
	    "<allow receive_type=\"error\"/><allow receive_type=\"signal\"/>\n"
	    "<allow send_destination=\"org.freedesktop.DBus\" "
	    "send_interface=\"org.freedesktop.DBus\"/>\n"
	    "<allow send_destination=\"org.freedesktop.DBus\" "
	    "send_interface=\"org.freedesktop.DBus.Properties\"/>\n"
	    "</policy>\n<include>%s</include>\n</busconfig>\n",
	    w.sock, policy);
	assert_int_equal(fclose(f), 0);
}

static pid_t spawn_bus(const char *daemon)
{
	char arg[512];
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);

		if (null >= 0)
			dup2(null, STDOUT_FILENO);
		snprintf(arg, sizeof(arg), "--config-file=%s", w.busconf);
		execl(daemon, daemon, arg, "--nofork", "--nopidfile", (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* The bus answers once it listens (its socket file exists from bind(), before listen()). */
static bool bus_answers(void)
{
	sd_bus *bus = NULL;
	sd_id128_t id;
	bool ok;

	ok = sd_bus_open_system(&bus) >= 0 && sd_bus_get_bus_id(bus, &id) >= 0; /* a round trip */
	sd_bus_flush_close_unref(bus);
	return ok;
}

/* nltuned as its main() wires it, on the machine's copy; exits 0 on SIGTERM. */
static void run_nltuned(void)
{
	struct manager m;
	struct bus *b;
	sigset_t ss;
	int r;

	sigemptyset(&ss);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGINT);
	sigaddset(&ss, SIGHUP);
	sigprocmask(SIG_BLOCK, &ss, NULL);
	log_init("nltuned", false, false);
	r = manager_init(&m, &w.m.conf, w.conf);
	if (r < 0) {
		manager_free(&m);
		exit(3);
	}
	b = bus_start(&m);
	r = manager_run(&m);
	bus_stop(b);
	manager_free(&m);
	exit(r); /* exit(), not _exit(): the coverage counters are written at exit */
}

static bool nltuned_answers(void)
{
	json_object *st = NULL;
	int r = client_describe(&st);

	json_object_put(st);
	return r == 0;
}

static bool poll_until(bool (*cond)(void), int tenths)
{
	for (int i = 0; i < tenths; i++) {
		if (cond())
			return true;
		nanosleep(&(struct timespec){ 0, 100 * 1000 * 1000 }, NULL);
	}
	return cond();
}

static int stop(pid_t pid)
{
	int status = -1;

	if (pid <= 0)
		return 0;
	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	return status;
}

static int group_setup(void **state)
{
	const char *daemon = NULL;
	char addr[420], err[256];

	(void)state;
	for (size_t i = 0; i < NCASES(dbus_daemons); i++)
		if (access(dbus_daemons[i], X_OK) == 0)
			daemon = dbus_daemons[i];
	if (geteuid() != 0) {
		w.skip = "needs root: the project's policy lets only root own org.nltune1";
		return 0;
	}
	if (!daemon) {
		w.skip = "no dbus-daemon here (tests/deps.sh installs dbus)";
		return 0;
	}
	unit_machine_up(&w.m, "system");
	snprintf(w.sock, sizeof(w.sock), "%s/bus.sock", w.m.root);
	snprintf(w.busconf, sizeof(w.busconf), "%s/bus.conf", w.m.root);
	snprintf(w.conf, sizeof(w.conf), "%s/nltune.conf", w.m.root);
	unit_write(w.m.root, "nltune.conf", "policy = exact\n");
	if (nlt_conf_load(&w.m.conf, w.conf, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	snprintf(w.m.conf.state_dir, sizeof(w.m.conf.state_dir), "%s/state", w.m.root);
	snprintf(w.m.conf.sysctl_dir, sizeof(w.m.conf.sysctl_dir), "%s/sysctl.d", w.m.root);
	snprintf(w.m.conf.metrics_file, sizeof(w.m.conf.metrics_file), "%s/metrics.prom", w.m.root);
	write_bus_conf();
	snprintf(addr, sizeof(addr), "unix:path=%s", w.sock);
	setenv("DBUS_SYSTEM_BUS_ADDRESS", addr, 1);
	w.busd = spawn_bus(daemon);
	if (!poll_until(bus_answers, 50)) {
		stop(w.busd);
		fail_msg("the private dbus-daemon did not answer on %s", w.sock);
	}
	w.nltuned = fork();
	assert_true(w.nltuned >= 0);
	if (w.nltuned == 0)
		run_nltuned();
	if (!poll_until(nltuned_answers, 100)) {
		stop(w.nltuned);
		stop(w.busd);
		fail_msg("nltuned did not take %s on the private bus", NAME);
	}
	return 0;
}

static int group_teardown(void **state)
{
	int st;

	(void)state;
	if (w.skip)
		return 0;
	st = stop(w.nltuned);
	stop(w.busd);
	unit_machine_down(&w.m);
	/* nltuned leaves on SIGTERM with 0, as under systemd */
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static sd_bus *open_bus(void)
{
	sd_bus *bus = NULL;

	if (w.skip) {
		print_message("skipped: %s\n", w.skip);
		skip();
	}
	assert_true(sd_bus_open_system(&bus) >= 0);
	return bus;
}

/* Describe through client.c: the status document, from the daemon, of the fixture machine. */
static void test_bus_describe_is_the_daemons_status(void **state)
{
	json_object *st = NULL, *o, *v;
	sd_bus *bus = open_bus();

	(void)state;
	sd_bus_flush_close_unref(bus);
	assert_int_equal(client_describe(&st), 0);
	assert_true(json_object_object_get_ex(st, "source", &v));
	assert_string_equal(json_object_get_string(v), "daemon");
	assert_true(json_object_object_get_ex(st, "sysctl", &o));
	assert_true(json_object_object_get_ex(o, "rmem_max", &v));
	assert_true(json_object_get_int64(v) > 0);
	assert_true(json_object_object_get_ex(st, "uevents", &o));
	json_object_put(st);
}

/* ListSockets through client.c: the fixture's uevent listener (inode 15527), its 4 drops. */
static void test_bus_list_sockets_has_the_fixture_listener(void **state)
{
	json_object *socks = NULL, *v;
	sd_bus *bus = open_bus();
	bool found = false;

	(void)state;
	sd_bus_flush_close_unref(bus);
	assert_int_equal(client_list_sockets(&socks), 0);
	assert_true(json_object_is_type(socks, json_type_array));
	for (size_t i = 0; i < json_object_array_length(socks); i++) {
		json_object *s = json_object_array_get_idx(socks, i);

		if (json_object_object_get_ex(s, "inode", &v) &&
		    json_object_get_int64(v) == 15527) {
			found = true;
			assert_true(json_object_object_get_ex(s, "drops", &v));
			assert_int_equal(json_object_get_int64(v), 4);
			assert_true(json_object_object_get_ex(s, "protocol", &v));
			assert_int_equal(json_object_get_int(v), 15);
			assert_true(json_object_object_get_ex(s, "no_enobufs", &v)); /* b */
			assert_true(json_object_is_type(v, json_type_boolean));
			assert_true(json_object_object_get_ex(s, "pids", &v)); /* au */
			assert_true(json_object_is_type(v, json_type_array));
		}
	}
	assert_true(found);
	json_object_put(socks);
}

/* The filtered listing (ListSocketsJSON through client.c) and ListSocketsPage agree. */
static void test_bus_filtered_listing_and_pages(void **state)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	json_object *socks = NULL, *v;
	sd_bus *bus = open_bus();
	uint32_t total = 0;

	(void)state;
	assert_int_equal(client_list_sockets_matching("dropping", 0, 15, 0, &socks), 0);
	assert_int_equal(json_object_array_length(socks), 1); /* the fixture's one dropper */
	assert_true(json_object_object_get_ex(json_object_array_get_idx(socks, 0), "inode", &v));
	assert_int_equal(json_object_get_int64(v), 15527);
	json_object_put(socks);
	assert_int_equal(client_list_sockets_matching("ok", 0, 15, 0, &socks), 0);
	for (size_t i = 0; i < json_object_array_length(socks); i++) {
		assert_true(
		    json_object_object_get_ex(json_object_array_get_idx(socks, i), "inode", &v));
		assert_true(json_object_get_int64(v) != 15527);
	}
	json_object_put(socks);
	assert_true(sd_bus_call_method(bus, NAME, PATH, IFACE, "ListSocketsPage", &e, &reply,
				       "suituu", "dropping", 0, -1, (uint64_t)0, 0, 10) >= 0);
	assert_true(sd_bus_message_skip(reply, "aa{sv}") >= 0);
	assert_true(sd_bus_message_read(reply, "u", &total) >= 0);
	assert_int_equal(total, 1);
	reply = sd_bus_message_unref(reply);
	/* a verdict it does not know is refused */
	assert_true(sd_bus_call_method(bus, NAME, PATH, IFACE, "ListSocketsJSON", &e, &reply,
				       "suituu", "sometimes", 0, -1, (uint64_t)0, 0, 10) < 0);
	assert_true(sd_bus_error_has_name(&e, SD_BUS_ERROR_INVALID_ARGS));
	sd_bus_error_free(&e);
	sd_bus_message_unref(reply);
	sd_bus_flush_close_unref(bus);
}

/* Properties are the manager's status: RmemMax as the fixture has it, Version, Policy. */
static void test_bus_properties_read_the_status(void **state)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus *bus = open_bus();
	uint64_t rmax = 0, rdef = 0, rec = 0;
	char *policy = NULL, *version = NULL;

	(void)state;
	assert_true(
	    sd_bus_get_property_trivial(bus, NAME, PATH, IFACE, "RmemMax", &e, 't', &rmax) >= 0);
	assert_true(sd_bus_get_property_trivial(bus, NAME, PATH, IFACE, "RmemDefault", &e, 't',
						&rdef) >= 0);
	assert_true(sd_bus_get_property_trivial(bus, NAME, PATH, IFACE, "RecommendedRmemDefault",
						&e, 't', &rec) >= 0);
	assert_true(sd_bus_get_property_string(bus, NAME, PATH, IFACE, "Policy", &e, &policy) >= 0);
	assert_true(sd_bus_get_property_string(bus, NAME, PATH, IFACE, "Version", &e, &version) >=
		    0);
	assert_string_equal(policy, "exact");
	assert_string_equal(version, NLTUNE_VERSION);
	assert_true(rdef > 0 && rmax > 0 && rec > 0);
	free(policy);
	free(version);
	sd_bus_error_free(&e);
	sd_bus_flush_close_unref(bus);
}

/* Recommend, then Apply as root: the copy's sysctl files and RmemDefault follow. */
static void test_bus_recommend_then_apply_writes_the_copy(void **state)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	sd_bus *bus = open_bus();
	uint64_t def = 0, max = 0, adef = 0, amax = 0, prop = 0;
	const char *reason = NULL;
	char path[512], *text;

	(void)state;
	assert_true(sd_bus_call_method(bus, NAME, PATH, IFACE, "Recommend", &e, &reply, "") >= 0);
	assert_true(sd_bus_message_read(reply, "tts", &def, &max, &reason) >= 0);
	assert_true(def > 0 && max >= def && reason && reason[0]);
	reply = sd_bus_message_unref(reply);
	/* dry run: computed, nothing written */
	assert_true(sd_bus_call_method(bus, NAME, PATH, IFACE, "Apply", &e, &reply, "b", 1) >= 0);
	assert_true(sd_bus_message_read(reply, "tt", &adef, &amax) >= 0);
	assert_int_equal(adef, def);
	reply = sd_bus_message_unref(reply);
	snprintf(path, sizeof(path), "%s/sys/net/core/rmem_default", w.m.proc);
	text = unit_slurp(path, NULL);
	assert_non_null(text);
	assert_int_equal(strtoull(text, NULL, 10), 212992); /* the fixture's, untouched */
	free(text);
	/* for real: the copy's files (policy exact: exactly the recommendation) */
	assert_true(sd_bus_call_method(bus, NAME, PATH, IFACE, "Apply", &e, &reply, "b", 0) >= 0);
	assert_true(sd_bus_message_read(reply, "tt", &adef, &amax) >= 0);
	reply = sd_bus_message_unref(reply);
	assert_int_equal(adef, def);
	text = unit_slurp(path, NULL);
	assert_non_null(text);
	assert_int_equal(strtoull(text, NULL, 10), def);
	free(text);
	assert_true(sd_bus_get_property_trivial(bus, NAME, PATH, IFACE, "RmemDefault", &e, 't',
						&prop) >= 0);
	assert_int_equal(prop, def);
	/* Revert puts the fixture's value back */
	assert_true(sd_bus_call_method(bus, NAME, PATH, IFACE, "Revert", &e, &reply, "b", 0) >= 0);
	assert_true(sd_bus_message_read(reply, "tt", &adef, &amax) >= 0);
	reply = sd_bus_message_unref(reply);
	assert_int_equal(adef, 212992);
	sd_bus_error_free(&e);
	sd_bus_flush_close_unref(bus);
}

static void assert_error(sd_bus *bus, const char *want, const char *method, const char *sig,
			 uint64_t a, uint64_t b)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	int r;

	if (!strcmp(sig, "tt"))
		r = sd_bus_call_method(bus, NAME, PATH, IFACE, method, &e, &reply, sig, a, b);
	else
		r = sd_bus_call_method(bus, NAME, PATH, IFACE, method, &e, &reply, "");
	assert_true(r < 0);
	if (!sd_bus_error_has_name(&e, want))
		fail_msg("%s: %s (%s), want %s", method, e.name, e.message, want);
	sd_bus_error_free(&e);
	sd_bus_message_unref(reply);
}

static const char *want_policy;

static bool policy_is_wanted(void)
{
	sd_bus *bus = NULL;
	char *policy = NULL;
	bool yes;

	yes = sd_bus_open_system(&bus) >= 0 &&
	      sd_bus_get_property_string(bus, NAME, PATH, IFACE, "Policy", NULL, &policy) >= 0 &&
	      !strcmp(policy, want_policy);
	free(policy);
	sd_bus_flush_close_unref(bus);
	return yes;
}

/* Each scan writes the metrics file (the fixture's dropping listener counted); SIGHUP reloads. */
static void test_bus_metrics_file_and_sighup(void **state)
{
	char path[512], *text;
	sd_bus *bus = open_bus();

	(void)state;
	sd_bus_flush_close_unref(bus);
	snprintf(path, sizeof(path), "%s/metrics.prom", w.m.root);
	text = unit_slurp(path, NULL);
	assert_non_null(text);
	assert_non_null(strstr(text, "nltune_build_info{version=\"" NLTUNE_VERSION "\"} 1\n"));
	assert_non_null(strstr(text, "nltune_sockets{verdict=\"dropping\"} 1\n"));
	free(text);
	/* the file says policy observe (and no metrics file now): SIGHUP takes it */
	unit_write(w.m.root, "nltune.conf", "policy = observe\n");
	assert_int_equal(kill(w.nltuned, SIGHUP), 0);
	want_policy = "observe";
	if (!poll_until(policy_is_wanted, 50))
		fail_msg("SIGHUP did not reload the configuration");
	unit_write(w.m.root, "nltune.conf", "policy = exact\n");
	assert_int_equal(kill(w.nltuned, SIGHUP), 0);
	want_policy = "exact";
	assert_true(poll_until(policy_is_wanted, 50));
}

/* Bad calls get their named errors and change nothing. */
static void test_bus_bad_calls_get_named_errors(void **state)
{
	sd_bus *bus = open_bus();

	(void)state;
	assert_error(bus, SD_BUS_ERROR_INVALID_ARGS, "FixSocket", "tt", 0, 0);
	assert_error(bus, "org.nltune1.Error.InvalidSize", "FixSocket", "tt", 15527, 100);
	assert_error(bus, "org.nltune1.Error.NoSuchSocket", "FixSocket", "tt", 999999999, 0);
	assert_error(bus, SD_BUS_ERROR_UNKNOWN_METHOD, "NoSuchMethod", "", 0, 0);
	sd_bus_flush_close_unref(bus);
}

/* ListAlerts after a scan of the fixture (a listener that dropped): well typed, Reload works. */
static void test_bus_list_alerts_and_reload(void **state)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	sd_bus *bus = open_bus();

	(void)state;
	assert_true(sd_bus_call_method(bus, NAME, PATH, IFACE, "ListAlerts", &e, &reply, "") >= 0);
	assert_true(sd_bus_message_enter_container(reply, 'a', "a{sv}") >= 0);
	reply = sd_bus_message_unref(reply);
	/* a bad configuration is refused and the one in force kept */
	unit_write(w.m.root, "nltune.conf", "policy = sometimes\n");
	assert_error(bus, "org.nltune1.Error.BadConfig", "Reload", "", 0, 0);
	unit_write(w.m.root, "nltune.conf", "policy = observe\n");
	assert_true(sd_bus_call_method(bus, NAME, PATH, IFACE, "Reload", &e, &reply, "") >= 0);
	reply = sd_bus_message_unref(reply);
	{
		char *policy = NULL;

		assert_true(
		    sd_bus_get_property_string(bus, NAME, PATH, IFACE, "Policy", &e, &policy) >= 0);
		assert_string_equal(policy, "observe");
		free(policy);
	}
	unit_write(w.m.root, "nltune.conf", "policy = exact\n");
	assert_true(sd_bus_call_method(bus, NAME, PATH, IFACE, "Reload", &e, &reply, "") >= 0);
	reply = sd_bus_message_unref(reply);
	sd_bus_error_free(&e);
	sd_bus_flush_close_unref(bus);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bus_describe_is_the_daemons_status),
		cmocka_unit_test(test_bus_list_sockets_has_the_fixture_listener),
		cmocka_unit_test(test_bus_filtered_listing_and_pages),
		cmocka_unit_test(test_bus_properties_read_the_status),
		cmocka_unit_test(test_bus_recommend_then_apply_writes_the_copy),
		cmocka_unit_test(test_bus_bad_calls_get_named_errors),
		cmocka_unit_test(test_bus_metrics_file_and_sighup),
		cmocka_unit_test(test_bus_list_alerts_and_reload),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
