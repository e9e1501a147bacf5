from django.http import Http404


def council(request, cycle_id):  # placeholder until the council screens land
    raise Http404


plan = worksheet = council
