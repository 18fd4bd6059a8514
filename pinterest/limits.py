"""Pinterest's limits on a pin, written once; every app imports them from here.

Each number is stated in Pinterest's OpenAPI description (API 5.23.0, the copy the stand-in
conforms to; https://developers.pinterest.com/docs/api/v5/pins-create/):

- ``PinCreate`` (and ``Pin``, ``PinUpdate``): ``title`` maxLength 100, ``description`` maxLength
  800, ``alt_text`` maxLength 500, ``link`` maxLength 2048;
- ``PinMediaSourceImagesURL`` and ``PinMediaSourceImagesBase64`` (a carousel): ``items`` minItems 2,
  maxItems 5.

Lengths count code points, as JSON Schema's ``maxLength`` does. Pure constants: this module
imports nothing, so the client, the payload, the models and the serializers may all use it.
"""

#: ``PinCreate.title`` maxLength.
TITLE_MAX = 100
#: ``PinCreate.description`` maxLength.
DESCRIPTION_MAX = 800
#: ``PinCreate.alt_text`` maxLength.
ALT_TEXT_MAX = 500
#: ``PinCreate.link`` maxLength (also the longest URL a pin, an item or an article keeps).
LINK_MAX = 2048

#: ``PinMediaSourceImages*.items`` minItems and maxItems: a carousel has 2 to 5 images.
CAROUSEL_MIN = 2
CAROUSEL_MAX = 5

#: The texts of a pin Pinterest limits, with their maxLength.
TEXT_LIMITS = {"title": TITLE_MAX, "description": DESCRIPTION_MAX, "alt_text": ALT_TEXT_MAX}
