def my_work_count(request):
    """The number of things waiting for the signed-in user, for the navigation."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    from .selectors import my_work_count

    return {"my_work_count": my_work_count(request.user)}
