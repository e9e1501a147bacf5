app_name = "units"
urlpatterns = []
