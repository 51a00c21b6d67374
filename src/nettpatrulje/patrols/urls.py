from django.urls import path

from nettpatrulje.patrols import views

app_name = "patrols"

urlpatterns = [
    path("", views.home, name="home"),
    path("operations/", views.operation_list, name="operations"),
    path("operations/new/", views.operation_new, name="operation-new"),
    path("operations/<int:operation_id>/", views.operation_detail, name="operation"),
    path("operations/<int:operation_id>/edit/", views.operation_edit, name="operation-edit"),
    path("operations/<int:operation_id>/slots/", views.slot_add, name="slot-add"),
    path("operations/<int:operation_id>/board/", views.board, name="board"),
    path("operations/<int:operation_id>/board/live/", views.board_live, name="board-live"),
    path("sessions/start/", views.session_start, name="session-start"),
    path("sessions/<int:session_id>/", views.session_detail, name="session"),
    path("sessions/<int:session_id>/add/", views.interaction_add, name="interaction-add"),
    path("sessions/<int:session_id>/incident/", views.incident_add, name="incident-add"),
    path("sessions/<int:session_id>/end/", views.session_end, name="session-end"),
    path("sessions/<int:session_id>/comment/", views.session_comment, name="session-comment"),
    path("sessions/<int:session_id>/guidance/", views.guidance_ask, name="guidance-ask"),
    path("incidents/<int:incident_id>/case/", views.incident_case, name="incident-case"),
    path("guidance/", views.guidance_list, name="guidance-list"),
    path("guidance/ask/", views.guidance_ask_conversation, name="guidance-ask-conversation"),
    path("guidance/<int:request_id>/", views.guidance_detail, name="guidance"),
    path("referrals/", views.referral_list, name="referrals"),
    path("referrals/new/", views.referral_new, name="referral-new"),
    path("referrals/<int:referral_id>/", views.referral_detail, name="referral"),
    path("referrals/<int:referral_id>/accept/", views.referral_accept, name="referral-accept"),
    path("referrals/<int:referral_id>/decline/", views.referral_decline, name="referral-decline"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/badge/", views.notification_badge, name="notification-badge"),
]
