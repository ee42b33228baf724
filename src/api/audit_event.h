#ifndef ATTENDLY_API_AUDIT_EVENT_H
#define ATTENDLY_API_AUDIT_EVENT_H
/* Audit events from handlers (API.md §15). A handler fills a store_audit_new with
 * api_audit_init (actor = the caller, the request id, now), sets what the action needs
 * and hands it to the store call that makes the change, so that the event commits with
 * it; api_audit_write records events of a request that changes nothing else. */
#include <jansson.h>

#include "api/api.h"
#include "store/audit.h"

/* The event `action` by the authenticated caller (actor null for public routes). */
void api_audit_init(const api_ctx *ctx, store_audit_new *e, const char *action);
/* Renders a JSON object as the event's details into buf (STORE_AUDIT_DETAILS_MAX bytes);
 * takes the reference of obj. e->details points to buf, or stays NULL when obj is NULL. */
void api_audit_details(store_audit_new *e, json_t *obj, char *buf);
/* Appends n events in their own transaction. 0, or -1 with a 500 reply set. */
int api_audit_write(api_ctx *ctx, const store_audit_new *e, size_t n);

/* The AuditEvent object (§15). */
json_t *api_audit_event_json(const store_audit_event *e);

#endif
