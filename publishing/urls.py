"""REST routes of the publishing app, under /api/.

One explicit line per endpoint. Publishing actions (``pins/<id>/publish/``,
``pins/<id>/attempts/``, ``pins/publish-bulk/``, ``publish-batches/`` and ``publish-batches/<id>/``) go in the marked
place: the uuid converter never matches ``publish-bulk``, so order among them is free.
"""

from django.urls import path

from publishing import api, api_members, api_publish, api_review, api_scheduling

urlpatterns = [
    path("projects/", api.ProjectsApi.as_view(), name="api-project-list"),
    path("projects/<int:project_id>/", api.ProjectDetailApi.as_view(), name="api-project-detail"),
    path("articles/", api.ArticlesApi.as_view(), name="api-article-list"),
    path("articles/<int:article_id>/", api.ArticleDetailApi.as_view(), name="api-article-detail"),
    path("pins/", api.PinsApi.as_view(), name="api-pin-list"),
    path("pins/<uuid:pin_id>/", api.PinDetailApi.as_view(), name="api-pin-detail"),
    path("pins/<uuid:pin_id>/schedule/", api.PinScheduleApi.as_view(), name="api-pin-schedule"),
    path(
        "pins/<uuid:pin_id>/unschedule/", api.PinUnscheduleApi.as_view(), name="api-pin-unschedule"
    ),
    path("pins/<uuid:pin_id>/publish/", api_publish.PinPublishApi.as_view(), name="api-pin-publish"),
    path("pins/<uuid:pin_id>/attempts/", api_publish.PinAttemptsApi.as_view(), name="api-pin-attempts"),
    # The review (issue 29): an owner approves or sends back a pin in review.
    path("pins/<uuid:pin_id>/approve/", api_review.PinApproveApi.as_view(), name="api-pin-approve"),
    path("pins/<uuid:pin_id>/reject/", api_review.PinRejectApi.as_view(), name="api-pin-reject"),
    path("pins/publish-bulk/", api_publish.PinsPublishBulkApi.as_view(), name="api-pins-publish-bulk"),
    # Planning (api_scheduling): queues, interval pinning, CSV import.
    path("pins/queue/", api_scheduling.PinsQueueBulkApi.as_view(), name="api-pins-queue-bulk"),
    path("pins/<uuid:pin_id>/queue/", api_scheduling.PinQueueApi.as_view(), name="api-pin-queue"),
    path(
        "pins/<uuid:pin_id>/pin-to-boards/",
        api_scheduling.PinPinToBoardsApi.as_view(),
        name="api-pin-pin-to-boards",
    ),
    path("projects/<int:project_id>/queue/", api_scheduling.ProjectQueueApi.as_view(), name="api-project-queue"),
    path("projects/<int:project_id>/slots/", api_scheduling.ProjectSlotsApi.as_view(), name="api-project-slots"),
    path(
        "projects/<int:project_id>/import/", api_scheduling.ProjectImportApi.as_view(), name="api-project-import"
    ),
    path("publish-batches/", api_publish.PublishBatchesApi.as_view(), name="api-publish-batch-list"),
    path(
        "publish-batches/<uuid:batch_id>/",
        api_publish.PublishBatchDetailApi.as_view(),
        name="api-publish-batch-detail",
    ),
    # The team (publishing.api_members): the owners' only.
    path("members/", api_members.MembersApi.as_view(), name="api-member-list"),
    path("members/<int:membership_id>/", api_members.MemberDetailApi.as_view(), name="api-member-detail"),
]
