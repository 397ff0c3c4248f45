/*
 * Built-in checks run at boot when the command line names them
 * (selftest=frames,timer,smpcall or selftest=all); the integration tests
 * use them to prove each piece on the real platform.  The "ud" and "pf"
 * tests raise an exception on purpose and so never return.
 */
#ifndef TRIVISOR_SELFTEST_H
#define TRIVISOR_SELFTEST_H

/* Run the comma-separated tests in @list; returns the number that failed
 * (an unknown name counts as a failure). */
int selftest_run(const char *list);

#endif
