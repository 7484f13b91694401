def my_work_count(request):
    """The number of things waiting for the signed-in user, for the navigation: computed when the page prints it,
    once per request (the template asks twice), and not at all when the view gives it (/my-work/ has the whole work
    already: ``my_work_count`` in its context wins over this one)."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    from .selectors import my_work_count as count

    total = []

    def once() -> int:
        if not total:
            total.append(count(request.user))
        return total[0]

    return {"my_work_count": once}
