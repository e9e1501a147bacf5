from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    """The pages that gather several apps for one person: the home page, the menu and a school's page."""

    name = "kiemdinh.workspace"
    label = "workspace"
    verbose_name = "Trang làm việc"
