"""The default profile's plugins, one module each (kube-scheduler's ``framework/plugins``).

Each module owns its plugin's name, its reason strings and its functions; the profile table
(:mod:`podfit.scheduler.profile`) lists them with what they read and how they compose.
"""
