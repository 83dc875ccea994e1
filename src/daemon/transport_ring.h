/* SPDX-License-Identifier: MIT */
/*
 * The shared-ring transport: a guest's connection over its 4 KiB ring page
 * and event channel (docs/misc/xenstore-ring.txt).  The same code serves
 * real and simulated guests; the backend maps the page and moves the
 * notifications.
 */
#ifndef XS_DAEMON_TRANSPORT_RING_H
#define XS_DAEMON_TRANSPORT_RING_H

#include <stdbool.h>
#include <stdint.h>

struct daemon;
struct domain;
struct conn;

/* A connection over dom's mapped ring; NULL when out of memory. */
struct conn *ring_conn_new(struct daemon *d, struct domain *dom);

/*
 * dom's event channel fired: honour a reconnection request, then read
 * what the guest wrote and send what is queued.
 */
void ring_domain_event(struct daemon *d, struct domain *dom);

/* Advertise features in dom's ring page (bits are only ever added). */
void ring_set_features(struct domain *dom, uint32_t features);

#endif
