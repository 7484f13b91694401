from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .groups import sync_user_groups
from .models import Membership


@receiver(post_save, sender=Membership)
@receiver(post_delete, sender=Membership)
def membership_changed(sender, instance, **kwargs):
    sync_user_groups(instance.user)
