from django.urls import path

from kiemdinh.accounts import two_factor, views

app_name = "accounts"
urlpatterns = [
    path("dang-nhap/", views.LoginView.as_view(), name="login"),
    path("dang-xuat/", views.LogoutView.as_view(), name="logout"),
    path("vai-tro/", views.act_as, name="act_as"),
    path("doi-mat-khau/", views.PasswordChangeView.as_view(), name="password_change"),
    path("doi-mat-khau/xong/", views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("quen-mat-khau/", views.PasswordResetView.as_view(), name="password_reset"),
    path("quen-mat-khau/da-gui/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("dat-mat-khau/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("xac-thuc-hai-buoc/", two_factor.two_factor, name="two_factor"),
    path("xac-thuc-hai-buoc/nhap-ma/", two_factor.two_factor_verify, name="two_factor_verify"),
    path("dat-mat-khau/xong/", views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]
