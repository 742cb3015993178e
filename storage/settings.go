package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

const (
	settingSQL    = `SELECT value FROM settings WHERE key = ?`
	setSettingSQL = `
	INSERT INTO settings (key, value) VALUES (?, ?)
	ON CONFLICT (key) DO UPDATE SET value = excluded.value`
)

// Setting returns the value stored under key; ok is false when the key has
// never been set.
func (s *Store) Setting(ctx context.Context, key string) (value string, ok bool, err error) {
	err = s.stmts.setting.QueryRowContext(ctx, key).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("storage: read setting %q: %w", key, err)
	}
	return value, true, nil
}

// SetSetting stores value under key, replacing any previous value.
func (s *Store) SetSetting(ctx context.Context, key, value string) error {
	if key == "" {
		return errors.New("storage: set setting: empty key")
	}
	_, err := s.stmts.setSetting.ExecContext(ctx, key, value)
	if err != nil {
		return fmt.Errorf("storage: set setting %q: %w", key, err)
	}
	return nil
}
