from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "kiemdinh.evaluation"
    verbose_name = "Đánh giá ngoài"

    def ready(self):
        # The members of an open team read the cycles their team evaluates, through the self-assessment's own access
        # module (which cannot import this app: it sits below it).
        from kiemdinh.evaluation.access import evaluator_cycle_ids
        from kiemdinh.selfassessment.access import register_evaluator_reader

        register_evaluator_reader(evaluator_cycle_ids)
