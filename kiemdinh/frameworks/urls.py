app_name = "frameworks"
urlpatterns = []
