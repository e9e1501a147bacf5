from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """The top of the import graph: the demo, the benchmarks, backup and restore, and maintenance commands. Nothing in
    the application imports it."""

    name = "kiemdinh.devtools"
    label = "devtools"
    verbose_name = "Công cụ vận hành"
