"""Request bodies take the JSON types their schema says. DRF would take 0 for a string ("0")
or a boolean (false), and "5" or 5.0 for an integer; a client sending those has a bug it should
hear about (400, naming the field), and a client generated from the schema never does."""

from collections.abc import Mapping

from rest_framework import serializers

JSON_TYPES = [
    (serializers.BooleanField, bool, "a boolean"),
    (serializers.CharField, str, "a string"),
    (serializers.IntegerField, int, "an integer"),
]


def type_error(field, value) -> str | None:
    if value is None:  # the field's own allow_null decides
        return None
    for kind, json_type, name in JSON_TYPES:
        if isinstance(field, kind):
            # bool is an int in Python, never in JSON.
            wrong = not isinstance(value, json_type) or (json_type is int and type(value) is bool)
            return f"Must be {name}." if wrong else None
    return None


# A serializer mixin (first among its bases) checking each writable field's JSON type. A comment,
# not a docstring: the schema would show it as the description of every serializer using it.
class StrictJSONTypes:
    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            errors = {
                name: [message]
                for name, field in self.fields.items()
                if not field.read_only
                and name in data
                and (message := type_error(field, data[name]))
            }
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)
