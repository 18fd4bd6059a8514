"""REST routes of the publishing app, under /api/.

One explicit line per endpoint. Publishing actions (``pins/<id>/publish/``,
``pins/<id>/attempts/``, ``pins/publish-bulk/``, ``publish-batches/`` and ``publish-batches/<id>/``) go in the marked
place: the uuid converter never matches ``publish-bulk``, so order among them is free.
"""

from django.urls import path

from publishing import api, api_publish

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
    path("pins/publish-bulk/", api_publish.PinsPublishBulkApi.as_view(), name="api-pins-publish-bulk"),
    path("publish-batches/", api_publish.PublishBatchesApi.as_view(), name="api-publish-batch-list"),
    path(
        "publish-batches/<uuid:batch_id>/",
        api_publish.PublishBatchDetailApi.as_view(),
        name="api-publish-batch-detail",
    ),
]
