"""offramp.core.outcomes"""
