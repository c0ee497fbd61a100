from rest_framework.routers import SimpleRouter

from inventory.api import AISystemViewSet, VendorViewSet

router = SimpleRouter()
router.register("systems", AISystemViewSet, basename="api-system")
router.register("vendors", VendorViewSet, basename="api-vendor")

urlpatterns = router.urls
