"""checker.record: immutable, hashable, ordered, picklable state records."""
import copy
import pickle

import pytest

from checker import DefinitionError, record
from checker.record import is_record, record_fields
from tiny_models import Empty, Other, Point


def test_fields_and_defaults():
    """Fields are read by name, in declaration order; a default fills a missing field."""
    p = Point(1)
    assert (p.x, p.y) == (1, 0)
    assert Point(1, 2).y == 2 and Point(x=3, y=4).x == 3
    assert Point.__record_fields__ == ("x", "y")
    assert record_fields(Point(5, 6)) == [("x", 5), ("y", 6)]
    assert repr(Point(1, 2)) == "Point(x=1, y=2)"
    assert is_record(p) and not is_record((1, 2))


def test_missing_field_is_a_type_error():
    """A field without a default must be given."""
    with pytest.raises(TypeError):
        Point()


def test_evolve_changes_only_the_named_fields():
    """evolve returns a copy with the named fields changed, leaving the original as it was."""
    p = Point(1, 2)
    q = p.evolve(y=5)
    assert q == Point(1, 5) and type(q) is Point
    assert p == Point(1, 2)


def test_evolve_without_a_change_returns_itself():
    """evolve() and evolve with the same values return the very same object."""
    p = Point(1, 2)
    assert p.evolve() is p
    assert p.evolve(x=1) is p
    assert p.evolve(x=1, y=2) is p


def test_evolve_rejects_unknown_fields():
    """evolve takes only the record's own field names, by keyword."""
    with pytest.raises(TypeError):
        Point(1).evolve(z=3)
    with pytest.raises(TypeError):
        Point(1).evolve(3)


def test_equality_and_hash():
    """Equal fields give equal records with equal hashes; they work as set members and dict keys."""
    assert Point(1, 2) == Point(1, 2)
    assert hash(Point(1, 2)) == hash(Point(1, 2))
    assert Point(1, 2) != Point(2, 1)
    assert len({Point(1, 2), Point(1, 2), Point(2, 1)}) == 2
    assert {Point(1): "a"}[Point(1, 0)] == "a"


def test_records_of_two_classes_with_equal_fields_are_not_equal():
    """Point(1, 2) and Other(1, 2) have the same fields but differ, as set members too."""
    assert Point(1, 2) != Other(1, 2)
    assert len({Point(1, 2), Other(1, 2)}) == 2


def test_same_class_name_in_another_module_is_a_different_record_type():
    """A record class named Point defined elsewhere (another module) is not equal to tiny_models.Point."""
    namespace = {"record": record}
    exec("@record\nclass Point:\n    x: int\n    y: int = 0\n", namespace)  # noqa: S102 - a second module's Point
    elsewhere = namespace["Point"]
    assert elsewhere is not Point
    assert elsewhere(1, 2) != Point(1, 2)


def test_immutable():
    """Fields cannot be assigned and no attributes can be added."""
    p = Point(1, 2)
    with pytest.raises(AttributeError):
        p.x = 5
    with pytest.raises(AttributeError):
        p.z = 5
    assert p == Point(1, 2)


def test_sorting():
    """Records of one class sort by their fields; of different classes by class name."""
    assert sorted([Point(2, 0), Point(1, 5), Point(1, 2)]) == [Point(1, 2), Point(1, 5), Point(2, 0)]
    assert sorted([Point(0), Other(9), Point(-1)]) == [Other(9), Point(-1), Point(0)]


def test_pickling_and_copying():
    """Records survive pickle and copy with their class and fields; the empty record stays a singleton."""
    for value in (Point(1, 2), Other(3), frozenset({Point(1), Point(2)})):
        assert pickle.loads(pickle.dumps(value)) == value
    assert type(pickle.loads(pickle.dumps(Point(1, 2)))) is Point
    assert copy.deepcopy(Point(1, (2, 3))) == Point(1, (2, 3))
    assert pickle.loads(pickle.dumps(Empty())) is Empty()


def test_empty_record_is_a_singleton():
    """A record without fields has one instance."""
    assert Empty() is Empty()
    assert Empty().evolve() is Empty()
    assert repr(Empty()) == "Empty()"


def test_pattern_matching():
    """Records match positionally in declaration order."""
    match Point(1, 2):
        case Point(x, y):
            assert (x, y) == (1, 2)
        case _:
            pytest.fail("Point did not match its own pattern")


def test_field_without_default_after_a_default_is_refused():
    """As with dataclasses, a field without a default may not follow one with a default."""
    with pytest.raises(DefinitionError, match="'b'"):
        @record
        class Bad:
            a: int = 0
            b: int


def test_underscore_field_is_refused():
    """Field names may not start with an underscore."""
    with pytest.raises(DefinitionError):
        @record
        class Hidden:
            _a: int


def test_inheritance_is_refused():
    """Records cannot inherit from other classes."""
    with pytest.raises(DefinitionError):
        @record
        class Sub(Point):
            z: int = 0


def test_methods_and_docstrings_are_kept():
    """Methods defined on the class stay available on its records."""
    @record
    class Pair:
        """Two numbers."""

        a: int
        b: int

        def total(self) -> int:
            return self.a + self.b

    assert Pair(2, 3).total() == 5
    assert Pair.__doc__ == "Two numbers."
