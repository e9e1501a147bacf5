from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "kiemdinh.workflow"
    label = "workflow"
    verbose_name = "Quy trình tự đánh giá"
