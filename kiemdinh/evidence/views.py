from django.http import Http404


def evidence_list(request, cycle_id):  # placeholder until the evidence screens land
    raise Http404


evidence_health = evidence_list
