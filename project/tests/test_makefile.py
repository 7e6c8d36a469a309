"""The Makefile, as a newcomer meets it."""

import subprocess
import unittest

from project.tests.base import ROOT


class TestFirstRun(unittest.TestCase):
    def test_the_first_make_says_it_is_installing_before_the_long_wait(self):
        """The first `make run` or `make test` installs the requirements, quietly, for about a minute."""
        dry_run = ["make", "--no-print-directory", "--dry-run", "--always-make", ".venv/.ready"]
        commands = subprocess.run(dry_run, cwd=ROOT, capture_output=True, text=True, check=True).stdout.splitlines()
        self.assertEqual(
            commands[0], 'echo "Installing the pinned requirements into .venv: a minute or so, the first time only."'
        )
        self.assertEqual(len([command for command in commands if " install " in command]), 1)
        self.assertIn(" install ", commands[2])
