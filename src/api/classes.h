#ifndef ATTENDLY_API_CLASSES_H
#define ATTENDLY_API_CLASSES_H
/* Handlers of API.md §4 (/api/classes). All need an access token. */
#include "api/api.h"

void api_classes_create(api_ctx *ctx);          /* POST   /api/classes/create */
void api_classes_mine(api_ctx *ctx);            /* GET    /api/classes/my-classes */
void api_classes_dashboard(api_ctx *ctx);       /* GET    /api/classes/dashboard-stats */
void api_classes_get(api_ctx *ctx);             /* GET    /api/classes/{id} */
void api_classes_update(api_ctx *ctx);          /* PUT    /api/classes/{id}/update */
void api_classes_delete(api_ctx *ctx);          /* DELETE /api/classes/{id} */
void api_classes_join(api_ctx *ctx);            /* POST   /api/classes/join */
void api_classes_leave(api_ctx *ctx);           /* POST   /api/classes/{id}/leave */
void api_classes_regenerate_code(api_ctx *ctx); /* POST   /api/classes/{id}/regenerate-code */
void api_classes_remove_student(api_ctx *ctx);  /* DELETE /api/classes/{id}/students/{id} */

#endif
