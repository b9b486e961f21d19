"""Operations on workspaces: validate, diff, merge, hierarchy."""
