#ifndef ATTENDLY_API_FACE_DATA_H
#define ATTENDLY_API_FACE_DATA_H
/* Handlers of API.md §6 (/api/face-data) and §7.7 (recognize-faces), registered in
 * api/routes.c. The face-work routes (§5.6) run under api_face_acquire. */
#include "api/api.h"

/* face_upload.c */
void api_face_upload(api_ctx *ctx);              /* POST /api/face-data/upload */
void api_face_multiple_upload(api_ctx *ctx);     /* POST /api/face-data/multiple-upload */
void api_face_validate_image(api_ctx *ctx);      /* POST /api/face-data/validate-image */
/* face_orientations.c */
void api_face_upload_orientations(api_ctx *ctx); /* POST /api/face-data/upload-orientations */
/* face_data.c */
void api_face_my_data(api_ctx *ctx);             /* GET  /api/face-data/my-data */
void api_face_facial_status(api_ctx *ctx);       /* GET  /api/face-data/student/facial-status */
void api_face_delete(api_ctx *ctx);              /* DELETE /api/face-data/delete */
void api_face_class_students(api_ctx *ctx);      /* GET  /api/face-data/class/{id}/students-with-facial-data */
void api_face_stats(api_ctx *ctx);               /* GET  /api/face-data/stats */
/* face_images.c */
void api_face_student_images(api_ctx *ctx);      /* GET  /api/face-data/student/{student_id}/images */
void api_face_thumbnail(api_ctx *ctx);           /* GET  /api/face-data/images/{image_id}/thumbnail */
/* face_recognize.c */
void api_face_recognize_photo(api_ctx *ctx);     /* POST /api/face-data/recognize-from-photo */
/* face_attendance.c */
void api_attendance_recognize_faces(api_ctx *ctx); /* POST /api/attendance/recognize-faces */

#endif
