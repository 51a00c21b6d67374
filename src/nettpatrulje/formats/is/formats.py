# Django gives Icelandic no date-time or input formats, so an Icelandic screen fell back
# to the American "11/29/2026 7:59 morgun". Icelandic writes the day first and a
# 24-hour clock, as on Icelandic police and government sites.
DATETIME_FORMAT = "j. F Y H:i"
SHORT_DATETIME_FORMAT = "j.n.Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y"]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%y %H:%M",
]
