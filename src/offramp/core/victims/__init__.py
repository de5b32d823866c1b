"""offramp.core.victims"""
