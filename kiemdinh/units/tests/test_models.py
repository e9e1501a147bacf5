from kiemdinh.units.models import ANCESTORS_RELATED, AdministrativeUnit


def test_ancestors_come_from_the_loaded_chain_or_from_one_query(world, django_assert_num_queries):
    expected = [world.province, world.district]
    loaded = AdministrativeUnit.objects.select_related(*ANCESTORS_RELATED).get(pk=world.commune_a.pk)
    with django_assert_num_queries(0):
        assert loaded.ancestors() == expected
    plain = AdministrativeUnit.objects.get(pk=world.commune_a.pk)
    with django_assert_num_queries(1):
        assert plain.ancestors() == expected
    root = AdministrativeUnit.objects.get(pk=world.province.pk)
    with django_assert_num_queries(0):
        assert root.ancestors() == []
