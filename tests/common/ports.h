#ifndef ATTENDLY_TESTS_PORTS_H
#define ATTENDLY_TESTS_PORTS_H
/* Loopback TCP ports for test servers that need their port chosen up front. */

/* A port the kernel considers free on 127.0.0.1 right now, or -1. Another process may
 * still take it before the caller binds it: callers retry with a new port. */
int free_loopback_port(void);

/* 1 when something accepts TCP connections on 127.0.0.1:port, else 0. */
int loopback_port_open(int port);

#endif
