"""Django's makemessages without fuzzy matching: a fuzzy match copies another
string's translation into a new entry, and one unflagged by mistake puts a
wrong text in front of officers. New strings stay empty until translated."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
