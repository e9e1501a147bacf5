from django.http import Http404


def _placeholder(request, *args, **kwargs):
    raise Http404


cycle_list = cycle_open_view = cycle_detail = criteria_list = criterion_form = criterion_rate = _placeholder
criterion_autosave = criterion_history = level4_form = level4_rate = level4_autosave = level4_history = _placeholder
gap_board = cycle_submit = cycle_return = cycle_accept = cycle_publish = _placeholder
